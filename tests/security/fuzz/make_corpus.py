#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/security/fuzz/corpus/<target>/) from the
project's own examples: the record examples of docs/events.md, small cuts of the shipped
reference data (workflows/reference/*.jsonl) and the request bodies docs/api.md shows.
Run from the repository root when those change; the output is kept in the repository."""
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT = os.path.join(ROOT, "tests/security/fuzz/corpus")
TABLES = ["jurisdictions", "departments", "hazard_classes", "enterprises", "rescue_teams",
          "material_depots", "experts", "plans"]  # the order reference_data_fuzz.cc picks by


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def one_line(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def shipped(name):
    with open(os.path.join(ROOT, "workflows/reference", name + ".jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def small_document(record, items=2):
    doc = json.loads(record["body"]["content_json"])
    doc["items"] = doc["items"][:items]
    doc.pop("part", None)
    doc.pop("parts", None)
    return doc


def main():
    with open(os.path.join(ROOT, "docs/events.md"), encoding="utf-8") as f:
        examples = [json.loads(m) for m in re.findall(r"```json\n(.*?)```", f.read(), re.S)]
    examples = [e for e in examples if isinstance(e, dict) and "body_type" in e]
    for e in examples:
        write("record_json", e["body_type"] + ".json", one_line(e))
    ingress = [e for e in examples
               if e["body_type"] in ("HazardReport", "SensorAlarm", "VideoAlarm", "IncidentReport",
                                     "ServiceRequest", "ClockTick")]
    write("jsonl", "ingress.jsonl", "".join(one_line(e) + "\n" for e in ingress))
    write("jsonl", "blank_and_crlf.jsonl", "\n" + one_line(ingress[0]) + "\r\n\n")
    write("jsonl", "one_bad_line.jsonl",
          one_line(ingress[0]) + "\n" + one_line(dict(ingress[0], occurred_at=1767225600)) + "\n")

    for i, table in enumerate(TABLES):
        record = shipped(table)[0]
        doc = small_document(record, 1 if table == "enterprises" else 2)
        write("reference_data", table + ".json", bytes([i]) + one_line(doc).encode())
        small = dict(record)
        small["body"] = dict(record["body"], content_json=json.dumps(doc, ensure_ascii=False))
        if table in ("hazard_classes", "departments"):
            write("record_json", "ReferenceDataUpdated_" + table + ".json", one_line(small))
            write("jsonl", "reference_" + table + ".jsonl", one_line(small) + "\n")
        if table == "hazard_classes":
            write("json_body", "reference_data.json", one_line([small]))

    bodies = {
        "action_assign.json": {"verb": "assign", "expected_version": 3, "note": "on it",
                               "to_department": "nj.xuanwu.fire", "command_id": "c-1"},
        "action_extend.json": {"verb": "request_extension", "days": 5, "reason": "parts",
                               "evidence": ["https://x/1.jpg"], "fields": {"k": "v"}},
        "clock.json": {"by": "2h"},
        "clock_to.json": {"to": "2026-03-10T09:00:00"},
        "user.json": {"name": "xw-fire-1", "role": "staff", "department": "nj.xuanwu.fire",
                      "acts_as": ["inspector"], "disabled": False},
        "token.json": {"label": "duty laptop"},
        "workflow.json": {"file": "w.wf", "source": "workflow w v1 {}"},
        "numbers.json": [0, -1, 1.5e3, 18446744073709551615, -9223372036854775808, 1e-300],
        "strings.json": ["\u6c34\u4f4d", "\\\"/\b\f\n\r\t\u0001", "\U0001F600"],
    }
    for name, body in bodies.items():
        write("json_body", name, json.dumps(body, ensure_ascii=name != "strings.json"))


if __name__ == "__main__":
    main()
