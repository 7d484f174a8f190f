#!/usr/bin/env python3
"""Asks Janus's Streaming plugin, over the HTTP API, how long ago each media of the given mountpoints last
received a packet (the "age_ms" of the plugin's "info" answer). Prints one line per mountpoint:
  ID video_age_ms data_age_ms
With --list instead of ids: every mountpoint, one line each: ID DESCRIPTION

  janus_mountpoints.py http://127.0.0.1:8088/janus 1 2
  janus_mountpoints.py http://127.0.0.1:8088/janus --list
"""
import json
import random
import sys
import urllib.request


def call(url, body):
    body = dict(body, transaction=str(random.getrandbits(32)))
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        reply = json.load(answer)
    if reply.get("janus") not in ("success", "ack"):
        sys.exit(f"Janus answered {reply}")
    return reply


def main():
    api, arguments = sys.argv[1], sys.argv[2:]
    session = call(api, {"janus": "create"})["data"]["id"]
    try:
        handle = call(f"{api}/{session}", {"janus": "attach", "plugin": "janus.plugin.streaming"})["data"]["id"]
        if arguments == ["--list"]:
            reply = call(f"{api}/{session}/{handle}", {"janus": "message", "body": {"request": "list"}})
            for mountpoint in reply["plugindata"]["data"].get("list", []):
                print(mountpoint["id"], mountpoint.get("description", ""))
            return
        for mountpoint in (int(i) for i in arguments):
            reply = call(f"{api}/{session}/{handle}", {"janus": "message", "body": {"request": "info", "id": mountpoint}})
            data = reply["plugindata"]["data"]
            if "info" not in data:
                sys.exit(f"mountpoint {mountpoint}: {data}")
            ages = {media["type"]: media.get("age_ms", -1) for media in data["info"]["media"]}
            print(mountpoint, ages.get("video", -1), ages.get("data", -1))
    finally:
        call(f"{api}/{session}", {"janus": "destroy"})


if __name__ == "__main__":
    main()
