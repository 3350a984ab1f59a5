"""Runs parliament (an offline IAM policy linter) on the policies the CDK tests pass on stdin.

stdin: JSON list of {"id": "...", "document": {...}}; stdout: JSON list of findings
{"id", "issue", "title", "severity", "detail"}. Used by test/cdk/iam-lint.ts.
"""
import json
import sys

from parliament import analyze_policy_string


def main() -> None:
    findings = []
    for policy in json.load(sys.stdin):
        analyzed = analyze_policy_string(json.dumps(policy["document"]))
        for finding in analyzed.findings:
            findings.append(
                {
                    "id": policy["id"],
                    "issue": finding.issue,
                    "title": finding.title,
                    "severity": finding.severity,
                    "detail": finding.detail if isinstance(finding.detail, (str, int, float, type(None))) else json.loads(json.dumps(finding.detail, default=str)),
                }
            )
    json.dump(findings, sys.stdout)


if __name__ == "__main__":
    main()
