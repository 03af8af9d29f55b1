"""notify-webhook: POST {"text", "status"} as JSON (the mldsl runtime provides inputs/write_output)."""
import json
import sys
import urllib.error
import urllib.request

payload = {"text": inputs["message"]}
if inputs["status"]:
    payload["status"] = inputs["status"]
    payload["text"] = f"[{inputs['status']}] {inputs['message']}"
headers = {"Content-Type": "application/json", "User-Agent": "mldsl-notify-webhook/1.0"}
if inputs["token"]:
    headers["Authorization"] = "Bearer " + inputs["token"]
request = urllib.request.Request(inputs["url"], data=json.dumps(payload).encode(), headers=headers, method="POST")
try:
    with urllib.request.urlopen(request, timeout=inputs["timeout_seconds"]) as response:
        status = response.status
except urllib.error.HTTPError as exc:
    status = exc.code
except (urllib.error.URLError, TimeoutError) as exc:
    print(f"notify-webhook: {exc}", file=sys.stderr)
    status = 0
write_output("http_status", status)
print(f"notify-webhook: HTTP {status}")
if inputs["fail_on_error"] and not 200 <= status < 300:
    sys.exit(1)
