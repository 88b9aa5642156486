/** The text of `outpost --help`. */
export const HELP = `outpost — monitor and maintain servers that only ever dial out

Usage:
  outpost hub --data DIR [--listen HOST:PORT] [--public-url URL] [--db postgres://…]
              [--tls-cert FILE --tls-key FILE] [--smtp URL --mail-from ADDR]
  outpost agent --enroll TOKEN --state DIR [--interval 30s] [--proxy URL] [--policy FILE]
  outpost agent --state DIR
  outpost admin enroll-token --data DIR [--ttl 1h] [--group NAME]
  outpost admin api-token --data DIR --name NAME [--role admin|operator|viewer]
  outpost admin audit verify --data DIR [--db URL]
  outpost ctl --hub URL --token T [--fingerprint SHA256] hosts
  outpost ctl --hub URL --token T host ID
  outpost ctl --hub URL --token T exec ID [--timeout 60s] -- ARGV…
  outpost ctl --hub URL --token T [--json] ps ID
  outpost ctl --hub URL --token T kill ID PID [--signal SIGTERM]
  outpost ctl --hub URL --token T [--json] services ID | service ID NAME ACTION
  outpost ctl --hub URL --token T [--json] packages ID | package ID install|remove|upgrade NAME…
  outpost ctl --hub URL --token T power ID reboot|shutdown|cancel [--in 1m] --reason TEXT
  outpost demo [--dir DIR]

Environment:
  OUTPOST_ADMIN_PASSWORD   password of the first admin user (hub, first start)
  OUTPOST_ADMIN_EMAIL      that user's address, notified by the default alert rules
  OUTPOST_SMTP_URL         the --smtp URL, kept out of the process list
  OUTPOST_BUS_URL          the hub's --bus URL (NATS), kept out of the process list
  HTTPS_PROXY              CONNECT proxy for the agent when --proxy is not given
  OUTPOST_HUB, OUTPOST_TOKEN, OUTPOST_FINGERPRINT   defaults for ctl

Run "outpost COMMAND --help" for the options of one command.
`
