"""Turns a generated Synapse config into one for tests: loopback only, client API only, no
federation key servers, no presence, and every rate limit out of the way (with the
defaults the 10th quick message gets 429)."""

import os
import sys

import yaml

path, port = sys.argv[1], int(sys.argv[2])
with open(path) as f:
    config = yaml.safe_load(f)

config["listeners"] = [
    {
        "port": port,
        "bind_addresses": ["127.0.0.1"],
        "type": "http",
        "tls": False,
        "x_forwarded": False,
        "resources": [{"names": ["client"], "compress": False}],
    }
]
config["trusted_key_servers"] = []
config["suppress_key_server_warning"] = True
config["presence"] = {"enabled": False}
config["enable_registration"] = False
config["report_stats"] = False
config["url_preview_enabled"] = False

unlimited = {"per_second": 100000, "burst_count": 100000}
for key in [
    "rc_message", "rc_registration", "rc_room_creation", "rc_joins_per_room",
    "rc_admin_redaction", "rc_key_requests", "rc_media_create", "rc_delayed_event_mgmt",
    "rc_reports", "rc_user_directory", "rc_profile", "rc_3pid_validation",
    "rc_registration_token_validity", "rc_federation",
]:
    config[key] = dict(unlimited)
config["rc_federation"] = {"window_size": 1000, "sleep_limit": 1000, "sleep_delay": 0, "reject_limit": 1000, "concurrent": 100}
config["rc_login"] = {"address": unlimited, "account": unlimited, "failed_attempts": unlimited}
config["rc_joins"] = {"local": unlimited, "remote": unlimited}
config["rc_invites"] = {"per_room": unlimited, "per_user": unlimited, "per_issuer": unlimited}
config["rc_presence"] = {"per_user": unlimited}

# Logs go next to the config (an absolute path: a relative one lands in whatever directory
# Synapse happens to run in), warnings and up only.
directory = os.path.dirname(os.path.abspath(path))
log_config = os.path.join(directory, "log.yaml")
with open(log_config, "w") as f:
    yaml.safe_dump(
        {
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "plain",
                    "filename": os.path.join(directory, "homeserver.log"),
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        },
        f,
    )
config["log_config"] = log_config

with open(path, "w") as f:
    yaml.safe_dump(config, f)
