#!/usr/bin/env python3
"""The console measured from outside, as an admin sees it, at several org sizes in one run.

For each size it starts `seats sandbox --users N` (no latency), opens the real console on it in
a private tmux server and prints:

- full load from the network: launch to the complete count on screen (`N/N`, fetch done);
- the console process's VmRSS once the full load is on screen, and its peak (VmHWM);
- keystroke to changed count: `send-keys` of one character of an ordinary name query to the
  first screen whose count differs, median and p90 over every sample (a keystroke that does not
  change the count within 400 ms is not a sample);
- start from the snapshot: `seats --offline` launch to the full count on screen, and its VmRSS.

The probe's own overhead (tmux, capture-pane) is in every figure; the smallest size is the
baseline it should be compared with, measured in the same run on the same machine.

Run (release build first): `cargo build --release && benches/console_tmux.py`
Options: `--sizes 2000,100000`, `--bin PATH`, `--rounds N` (times the queries are typed),
`--keep` (keep the temp dirs).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

QUERIES = ["john", "ada lo", "grace", "mary", "turing", "linus t", "sophie", "chen w"]
WIDTH, HEIGHT = 120, 40
COUNT = re.compile(r"(\d[\d,]*)/(\d[\d,]*)")


def tmux(server, *args, check=True):
    return subprocess.run(
        ["tmux", "-L", server, *args],
        check=check,
        capture_output=True,
        text=True,
    ).stdout


def screen(server):
    return tmux(server, "capture-pane", "-p", "-t", "probe", check=False)


def counts(text):
    """(shown, total) from the status line, the last non-empty line."""
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        return None
    m = COUNT.search(lines[-1])
    if not m:
        return None
    return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def wait_for(server, what, pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = screen(server)
        if pred(s):
            return s
        time.sleep(0.002)
    sys.exit(f"timed out waiting for {what}; screen:\n{screen(server)}")


def memory(pid):
    """(VmRSS, VmHWM) in MB of a process."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return out.get("VmRSS", 0.0), out.get("VmHWM", 0.0)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round((len(xs) - 1) * p))]


def full(users, s):
    c = counts(s)
    # The complete fetch: every user counted (the sandbox's N accounts less those removed),
    # no partial view, no fetch under way.
    return (
        c is not None
        and c[1] >= users * 0.9
        and c[0] == c[1]
        and "fetching" not in s
        and "partial" not in s
    )


def console(server, env, bin_, conn, offline):
    args = " ".join(conn + (["--offline"] if offline else []))
    envs = " ".join(f"{k}={v}" for k, v in env.items())
    tmux(server, "kill-session", "-t", "probe", check=False)
    start = time.monotonic()
    tmux(
        server,
        "new-session", "-d", "-s", "probe", "-x", str(WIDTH), "-y", str(HEIGHT),
        f"exec env {envs} {bin_} {args}",
    )
    pid = int(tmux(server, "display-message", "-p", "-t", "probe", "#{pane_pid}").strip())
    return start, pid


def measure(bin_, users, rounds, keep):
    home = tempfile.mkdtemp(prefix=f"seats-probe-{users}-")
    server = f"seats-probe-{os.getpid()}-{users}"
    sandbox = subprocess.Popen(
        [bin_, "sandbox", "--users", str(users), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "SEATS_DATA_DIR": home, "SEATS_CONFIG_DIR": home},
    )
    try:
        banner = {}
        for line in sandbox.stdout:
            if "listening on" in line:
                banner["base"] = line.split()[-1]
            elif line.startswith("org id:"):
                banner["org"] = line.split()[-1]
            elif line.startswith("org API key:"):
                banner["key"] = line.split()[3]
            elif line.startswith("site login:"):
                parts = line.split()
                banner["email"], banner["token"] = parts[2], parts[4]
            if "Stop with" in line:
                break
        env = {
            "SEATS_DATA_DIR": home,
            "SEATS_CONFIG_DIR": home,
            "SEATS_ORG_API_KEY": banner["key"],
            "SEATS_SITE_API_TOKEN": banner["token"],
        }
        conn = [
            "--admin-url", banner["base"], "--site-url", banner["base"],
            "--org-id", banner["org"], "--email", banner["email"],
        ]
        out = {"users": users}

        start, pid = console(server, env, bin_, conn, offline=False)
        wait_for(server, "the full load", lambda s: full(users, s), 120)
        out["load_s"] = time.monotonic() - start
        # Let the snapshot save and the allocator settle, as an admin would look a moment.
        time.sleep(1.5)
        out["rss_mb"], out["peak_mb"] = memory(pid)

        samples, skipped = [], 0
        for _ in range(rounds):
            for q in QUERIES:
                tmux(server, "send-keys", "-t", "probe", "/")
                wait_for(server, "the query line", lambda s: "/" in s.splitlines()[-1], 10)
                shown = counts(screen(server))
                for ch in q:
                    t0 = time.monotonic()
                    tmux(server, "send-keys", "-t", "probe", "-l", ch)
                    changed = None
                    while time.monotonic() - t0 < 0.4:
                        c = counts(screen(server))
                        if c is not None and c != shown:
                            changed = time.monotonic() - t0
                            shown = c
                            break
                    if changed is None:
                        skipped += 1
                    else:
                        samples.append(changed * 1000)
                tmux(server, "send-keys", "-t", "probe", "Escape")
                wait_for(server, "the cleared query", lambda s: full(users, s), 10)
        out["keys"] = samples
        out["skipped"] = skipped
        out["rss_after_typing_mb"], out["peak_after_typing_mb"] = memory(pid)
        tmux(server, "send-keys", "-t", "probe", "q")
        time.sleep(0.5)

        start, pid = console(server, env, bin_, conn, offline=True)
        wait_for(server, "the snapshot", lambda s: full(users, s), 60)
        out["snapshot_s"] = time.monotonic() - start
        time.sleep(1.0)
        out["snapshot_rss_mb"], out["snapshot_peak_mb"] = memory(pid)
        tmux(server, "send-keys", "-t", "probe", "q")
        time.sleep(0.3)
        return out
    finally:
        tmux(server, "kill-server", check=False)
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default="target/release/seats")
    p.add_argument("--sizes", default="2000,100000")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is not installed")
    bin_ = os.path.abspath(a.bin)
    results = [measure(bin_, int(n), a.rounds, a.keep) for n in a.sizes.split(",")]
    print(f"{'users':>8} {'load s':>7} {'RSS MB':>7} {'peak MB':>8} "
          f"{'key med ms':>10} {'key p90 ms':>10} {'samples':>8} "
          f"{'snap s':>7} {'snap RSS':>8} {'snap peak':>9}")
    for r in results:
        keys = r["keys"] or [float("nan")]
        print(f"{r['users']:>8} {r['load_s']:>7.2f} {r['rss_mb']:>7.0f} {r['peak_mb']:>8.0f} "
              f"{statistics.median(keys):>10.1f} {pct(keys, 0.9):>10.1f} "
              f"{len(r['keys']):>5}/{len(r['keys']) + r['skipped']:<3}"
              f"{r['snapshot_s']:>7.2f} {r['snapshot_rss_mb']:>8.0f} {r['snapshot_peak_mb']:>9.0f}")
    if len(results) > 1:
        base = statistics.median(results[0]["keys"] or [0])
        for r in results[1:]:
            med = statistics.median(r["keys"] or [0])
            print(f"keystroke median at {r['users']} users is {med - base:+.1f} ms "
                  f"from {results[0]['users']} users")


if __name__ == "__main__":
    main()
