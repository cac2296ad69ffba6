// Checks an evidence bundle (closeloop-evidence/2, docs/audit.md) in the browser with
// WebCrypto: each checkpoint's Ed25519 signature under the log's published verifier key
// (C2SP signed note), each checkpoint's origin, and each record's RFC 9162 inclusion proof
// (SHA-256 of 0x00 || record up to the checkpoint's root). It does what `closeloop evidence
// verify` does except decode the records (it does not check they belong to the chain: the
// offline verifier does). Written from the RFC and C2SP texts; it shares no code with the
// server, so the console's word does not rest on the server's.

const enc = new TextEncoder();

function b64(text, what) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error(`${what}: not base64`);
  }
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function sha256(...parts) {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

const equal = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

// "<name>+<8 hex key hash>+<base64(0x01 || 32-byte Ed25519 key)>"
export async function parseVerifierKey(text) {
  const parts = text.trim().split('+');
  if (parts.length < 3) throw new Error('the verifier key does not read NAME+HASH+KEY');
  const name = parts[0];
  const hash = parts[1];
  const raw = b64(parts.slice(2).join('+'), 'verifier key');
  if (raw.length !== 33 || raw[0] !== 0x01) throw new Error('the verifier key is not an Ed25519 signed-note key');
  const id = await sha256(enc.encode(`${name}\n`), raw);
  if (hex(id.slice(0, 4)) !== hash) throw new Error('the verifier key’s hash does not match its name and key');
  const key = await crypto.subtle.importKey('raw', raw.slice(1), { name: 'Ed25519' }, false, ['verify']);
  return { name, id: id.slice(0, 4), key, text: text.trim() };
}

// The checkpoint's text when the signature line by `vk` verifies.
async function openNote(note, vk) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  let verified = false;
  for (const line of note.slice(split + 2).split('\n')) {
    if (!line) continue;
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('a signature line is malformed');
    if (m[1] !== vk.name) continue;
    const blob = b64(m[2], 'signature');
    if (!equal(blob.slice(0, 4), vk.id)) continue;
    if (blob.length !== 68) throw new Error('the Ed25519 signature is not 64 bytes');
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, vk.key, blob.slice(4), enc.encode(text)))) {
      throw new Error(`the signature by ${vk.name} does not verify (the checkpoint was altered)`);
    }
    verified = true;
  }
  if (!verified) throw new Error(`not signed by the key ${vk.name}`);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Error('not a checkpoint');
  const root = b64(lines[2], 'root hash');
  if (root.length !== 32) throw new Error('the root hash is not 32 bytes');
  const signed = lines.find((l) => l.startsWith('closeloop-signed-at '));
  return { origin: lines[0], size: BigInt(lines[1]), root, signedAt: signed ? Number(signed.slice(20)) : 0 };
}

// RFC 9162 §2.1.3.2.
async function verifyInclusion(index, size, leaf, proof, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  const one = new Uint8Array([1]);
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(one, p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await sha256(one, r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

// Throws with the first failure; else what was proven.
export async function checkBundle(bundle, keyText) {
  if (!crypto.subtle) throw new Error('this page is not a secure context (use https or localhost): WebCrypto is unavailable');
  if (bundle.format !== 'closeloop-evidence/2') throw new Error('not a closeloop-evidence/2 bundle');
  const vk = await parseVerifierKey(keyText);
  if (bundle.key !== vk.text) throw new Error(`the bundle names the key ${bundle.key}, not the key the log publishes`);
  const partitions = [];
  let records = 0;
  for (const [i, p] of (bundle.partitions || []).entries()) {
    const where = `partitions[${i}]`;
    let cp;
    try {
      cp = await openNote(p.checkpoint, vk);
    } catch (e) {
      throw new Error(`${where}.checkpoint: ${e.message}`);
    }
    if (cp.origin !== `${bundle.log}/partition/${p.partition}`) throw new Error(`${where}.checkpoint: its origin is ${cp.origin}`);
    const offsets = [];
    let last = -1n;
    for (const [k, r] of p.records.entries()) {
      const at = BigInt(r.offset);
      if (at <= last) throw new Error(`${where}.records[${k}]: offsets must ascend`);
      last = at;
      const leaf = await sha256(new Uint8Array([0]), b64(r.record, 'record'));
      const proof = r.proof.map((x) => b64(x, 'proof'));
      if (!(await verifyInclusion(at, cp.size, leaf, proof, cp.root))) {
        throw new Error(`${where}.records[${k}]: the record at position ${r.offset} is not proven in the checkpoint of ${cp.size} records`);
      }
      offsets.push(r.offset);
    }
    records += offsets.length;
    partitions.push({ partition: p.partition, offsets, size: Number(cp.size), signedAt: cp.signedAt, root: hex(cp.root) });
  }
  if (records === 0) throw new Error('the bundle holds no records');
  return { log: bundle.log, chain: bundle.chain_id, key: vk.text, records, partitions };
}
