// An independent check of closeloop's evidence bundles, checkpoints and consistency proofs,
// written from the specifications alone (RFC 9162 sections 2.1.1, 2.1.3.2, 2.1.4.2; C2SP
// signed-note and tlog-checkpoint), with nothing but Node's standard crypto. It shares no
// code with closeloop.
//
//   node independent_verify.mjs bundle FILE VKEY
//       -> prints "ok <records> records" or "FAIL <reason>" (exit 1)
//   node independent_verify.mjs consistency FILE VKEY
//       FILE: {"old": <signed note>, "new": <signed note>, "proof": [base64...]}
//   node independent_verify.mjs tlog-proof FILE VKEY
//       FILE: a C2SP tlog-proof (c2sp.org/tlog-proof@v1) whose extra line is the entry
//       -> prints "ok record at index <i> of <size>"
import crypto from 'node:crypto';
import fs from 'node:fs';

const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (data) => sha256(Buffer.from([0]), data);
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

function fail(why) {
  console.log('FAIL ' + why);
  process.exit(1);
}

// Standard base64 that must round-trip exactly.
function b64(text) {
  const buf = Buffer.from(text, 'base64');
  if (buf.toString('base64') !== text) fail('non-canonical base64: ' + text.slice(0, 20));
  return buf;
}

// C2SP signed-note verifier key: name+hash+base64(0x01||key).
function parseVkey(vkey) {
  // name+hash+key; the base64 key may itself hold '+'.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(vkey.trim());
  if (!m) fail('verifier key shape');
  const [, name, hashHex, keyB64] = m;
  const raw = b64(keyB64);
  if (raw.length !== 33 || raw[0] !== 1) fail('not an Ed25519 verifier key');
  const pub = raw.subarray(1);
  const expect = sha256(Buffer.from(name + '\n'), Buffer.from([1]), pub).subarray(0, 4);
  if (expect.toString('hex') !== hashHex) fail('verifier key hash does not match');
  // SubjectPublicKeyInfo for Ed25519 (RFC 8410): fixed 12-byte prefix, then the key.
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]);
  return { name, keyHash: expect, key: crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
}

// Returns the note text if a signature line by `v` verifies.
function openNote(note, v) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) fail('note without signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  if (lines.pop() !== '') fail('signatures must end in a newline');
  let ok = false;
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) fail('bad signature line');
    const blob = b64(m[2]);
    if (m[1] !== v.name || !blob.subarray(0, 4).equals(v.keyHash)) continue;
    if (blob.length !== 68) fail('signature length');
    if (!crypto.verify(null, Buffer.from(text, 'utf8'), v.key, blob.subarray(4))) fail('signature does not verify');
    ok = true;
  }
  if (!ok) fail('no signature by ' + v.name);
  return text;
}

// C2SP tlog-checkpoint body: origin, decimal size, base64 root, extension lines.
function parseCheckpoint(text) {
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) fail('checkpoint body');
  const root = b64(lines[2]);
  if (root.length !== 32) fail('root hash length');
  return { origin: lines[0], size: BigInt(lines[1]), root };
}

// RFC 9162 2.1.3.2, with BigInt sizes.
function verifyInclusion(index, size, leaf, path, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1n, r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

// RFC 9162 2.1.4.2.
function verifyConsistency(first, second, firstHash, secondHash, proof) {
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (first === 0n || first > second || proof.length === 0) return false;
  const path = [...proof];
  if ((first & (first - 1n)) === 0n) path.unshift(firstHash);
  let fn = first - 1n, sn = second - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0n;
}

// C2SP tlog-proof: header, optional "extra <b64>", "index <n>", proof hashes, "", checkpoint.
function tlogProof(text, v) {
  const lines = text.split('\n');
  let i = 0;
  if (lines[i++] !== 'c2sp.org/tlog-proof@v1') fail('tlog-proof header');
  let extra = null;
  if (lines[i].startsWith('extra ')) extra = b64(lines[i++].slice(6));
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines[i++] || '');
  if (!m) fail('tlog-proof index line');
  const index = BigInt(m[1]);
  const path = [];
  while (i < lines.length && lines[i] !== '') {
    const h = b64(lines[i++]);
    if (h.length !== 32) fail('proof hash length');
    path.push(h);
  }
  if (i >= lines.length) fail('no empty line before the checkpoint');
  const note = lines.slice(i + 1).join('\n');
  const cp = parseCheckpoint(openNote(note, v));
  if (!cp.origin.startsWith(v.name + '/partition/')) fail('origin is not a partition of this log');
  if (extra === null) fail('no entry in the extra line');
  if (!verifyInclusion(index, cp.size, leafHash(extra), path, cp.root)) fail('entry not included');
  return `ok record at index ${index} of ${cp.size}`;
}

const [mode, file, vkeyText] = process.argv.slice(2);
const v = parseVkey(vkeyText);
if (mode === 'tlog-proof') {
  console.log(tlogProof(fs.readFileSync(file, 'utf8'), v));
  process.exit(0);
}
let doc;
try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { fail('not JSON'); }

if (mode === 'bundle') {
  if (doc.format !== 'closeloop-evidence/2') fail('format');
  if (doc.key !== vkeyText.trim()) fail('the bundle names another key');
  let n = 0;
  for (const part of doc.partitions) {
    const cp = parseCheckpoint(openNote(part.checkpoint, v));
    if (cp.origin !== `${doc.log}/partition/${part.partition}`) fail('origin');
    let last = -1n;
    for (const rec of part.records) {
      const offset = BigInt(rec.offset);
      if (offset <= last) fail('offsets must ascend');
      last = offset;
      const proof = rec.proof.map(b64);
      if (!verifyInclusion(offset, cp.size, leafHash(b64(rec.record)), proof, cp.root)) {
        fail(`record at ${part.partition}/${rec.offset} not included`);
      }
      n++;
    }
  }
  console.log(`ok ${n} records`);
} else if (mode === 'consistency') {
  const a = parseCheckpoint(openNote(doc.old, v));
  const b = parseCheckpoint(openNote(doc.new, v));
  if (a.origin !== b.origin) fail('different logs');
  if (!verifyConsistency(a.size, b.size, a.root, b.root, doc.proof.map(b64))) fail('not consistent');
  console.log(`ok consistent ${a.size} -> ${b.size}`);
} else {
  fail('mode');
}
