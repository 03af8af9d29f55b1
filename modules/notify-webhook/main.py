"""notify-webhook: POST {"text", "status"} as JSON (the mldsl runtime provides inputs/write_output)."""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

payload = {"text": inputs["message"]}
if inputs["status"]:
    payload["status"] = inputs["status"]
    payload["text"] = f"[{inputs['status']}] {inputs['message']}"
headers = {"Content-Type": "application/json", "User-Agent": "mldsl-notify-webhook/1.1"}
if inputs["token"]:
    headers["Authorization"] = "Bearer " + inputs["token"]
request = urllib.request.Request(inputs["url"], data=json.dumps(payload).encode(), headers=headers, method="POST")
reason = ""
try:
    with urllib.request.urlopen(request, timeout=inputs["timeout_seconds"]) as response:
        status = response.status
except urllib.error.HTTPError as exc:
    status = exc.code
except (urllib.error.URLError, TimeoutError, OSError) as exc:
    print(f"notify-webhook: {exc}", file=sys.stderr)
    status, reason = 0, str(getattr(exc, "reason", exc))
delivered = 200 <= status < 300
write_output("http_status", status)
write_output("delivered", delivered)
# a succeeded step's "warning" output is shown as a warning by mldsl run, runs show and the runs panel
host = urllib.parse.urlsplit(inputs["url"]).hostname
why = f"HTTP {status}" if status else f"no answer ({reason})" if reason else "no answer"
write_output("warning", "" if delivered else f"the webhook message was not delivered to {host}: {why}")
print(f"notify-webhook: HTTP {status}")
if inputs["fail_on_error"] and not 200 <= status < 300:
    sys.exit(1)
