# What the config reader says about a config file: for the operator, in the language of LANG.
# Key names, `sqlite://PATH`, `24h`, `Europe/Istanbul` and the like are literal syntax and
# stay as they are. A value the operator wrote ($found, $url, $zone...) is shown as written.

## The report's header; $count is the number of problems.
config-problems = { $count ->
        [one] { $count } problem in the configuration:
       *[other] { $count } problems in the configuration:
    }

## The file itself. $error is the system's or the TOML parser's own words.
config-cannot-read = cannot read the config file: { $error }
config-not-toml = not valid TOML: { $error }

## Keys and types. $expected is one of the config-expected-* phrases (or a phrase of its
## own); $found is a config-type name.
config-missing = missing; expected { $expected }
config-wrong-type = expected { $expected }, found { $found }
# $allowed: the keys allowed in that table, comma-separated.
config-unknown-key = unknown key (allowed here: { $allowed })
# $suggestion: the allowed key closest to the one written.
config-unknown-key-suggestion = unknown key; did you mean `{ $suggestion }`? (allowed here: { $allowed })
# $text: the value as written, `<like this>`.
config-placeholder = `{ $text }` is a placeholder from the example config; replace it with a real value
# $kind: TOML's name of a type: string, integer, float, boolean, datetime, array, table.
config-type = { $kind }
config-expected-string = a string
config-expected-integer = an integer
config-expected-bool = true or false
config-expected-table = a table
config-expected-string-list = an array of strings
config-expected-id-list = an array of ids (strings or integers)
config-expected-table-list = an array of tables ([[...]] sections)

## [database]; $found is the number as written.
config-max-connections-range = expected 1 to 1000, found { $found }
config-database-url-expected = expected `sqlite://PATH` (the embedded database) or `postgres://USER@HOST:PORT/DATABASE`
# $expected: config-database-url-expected; $url: the URL as written.
config-database-url-found = { $expected }, found `{ $url }`
config-database-url-no-file = { $expected }: the SQLite URL names no file
# $error: the URL parser's own words.
config-database-url-invalid = { $expected }: { $error }
config-database-url-no-host = { $expected }: the URL names no host
config-database-url-password = the URL holds a password; secrets never go in the config file: remove it and set `password_env` or `password_file`
# $scheme: the scheme as written, e.g. mysql.
config-database-scheme = unsupported database scheme `{ $scheme }`; { $expected }

## Secrets. $what is one of the config-secret-* names; $env and $file are the keys that
## name where it comes from (e.g. password_env, password_file).
config-secret-database-password = the database password
config-secret-calendar = the calendar secret
config-secret-matrix-password = the Matrix password
config-secret-matrix-token = the Matrix access token
config-secret-discord-token = the Discord bot token
config-secret-inline = { $what } must not be written in the config file; put it in an environment variable named by `{ $env }` or a file named by `{ $file }`
config-secret-both = give either `{ $env }` or `{ $file }`, not both
# $reason: one of the secret-* reasons below.
config-secret-unavailable = { $what } is not available: { $reason }
# $name: an environment variable; $path: a file.
secret-env-empty = environment variable { $name } is empty
secret-env-unset = environment variable { $name } is not set
secret-file-empty = secret file { $path } is empty
# $error: the system's own words.
secret-file-unreadable = cannot read secret file { $path }: { $error }
secret-source-env = environment variable { $name }
secret-source-file = file { $path }

## [http], [bridge], [schedule]; $found is the value as written.
config-listen = expected an address and port such as `127.0.0.1:8080`, found `{ $found }`
config-max-attempts-range = expected 1 to 100 attempts, found { $found }
config-pause-after-refusals-range = expected 2 to 1000 refusals, found { $found }
config-schedule-duration = expected a duration up to 7 days, such as `60s` or `2h`, found `{ $found }`
config-http-url = expected an http:// or https:// URL, found `{ $found }`

## [matrix] and [discord]
config-expected-homeserver = the homeserver's client URL, e.g. `https://matrix.example.org`
config-expected-matrix-user = the bot's Matrix user id, e.g. `@magnet:example.org`
config-expected-application-id = the bot's application id (a snowflake)
config-matrix-credential-both = give a password or an access token, not both
config-matrix-credential-missing = missing; the bot needs `password_env`/`password_file` or `access_token_env`/`access_token_file`
config-discord-token-missing = missing; the bot needs `token_env` or `token_file`
config-matrix-missing = missing; Matrix rooms are listed, so a [matrix] section with the bot's account is needed
config-discord-missing = missing; Discord channels are listed, so a [discord] section with the bot's token is needed

## Ids ($found, $local, $server: as written)
config-matrix-user-at = a Matrix user id starts with `@`, e.g. `@secretariat:example.org`
config-matrix-user-shape = a Matrix user id looks like `@name:server.name`
config-matrix-user-local = `{ $local }` is not a valid Matrix user localpart (lowercase letters, digits and ._=-/+ only)
config-matrix-room = expected a Matrix room id `!abc:server.name` (or `!abc` in room version 12) or alias `#name:server.name`
config-matrix-room-local = expected a Matrix room id `!abc:server.name` (or `!abc` in room version 12) or alias `#name:server.name`; `{ $local }` contains whitespace or `:`
config-server-port = `{ $server }` has an invalid port
config-server-name = `{ $server }` is not a valid server name
config-snowflake = expected a Discord id (a snowflake: 17 to 20 decimal digits, e.g. 1093848219043012608), found `{ $found }`
config-pillar-id = expected a pillar id of 1 to 32 lowercase letters, digits, `-` or `_` (e.g. `civil-society`), found `{ $found }`
config-language-tag = expected a language tag such as `en`, `tr` or `pt-BR`, found `{ $found }`

## [secretariat]
config-power-level = expected a power level from 0 to 100
# $tag: the language as written; $known: the tags the bot has, e.g. "en, tr".
config-language-unknown = the bot has no messages in `{ $tag }`; it speaks { $known }

## [[pillars]]
config-expected-pillar-id = a short pillar id such as `civil-society`
config-expected-pillar-name = the pillar's display name
config-expected-timezone = an IANA time zone such as `Europe/Istanbul`
# $id: the pillar id as written.
config-pillar-twice = pillar id `{ $id }` is used twice
# $room: the room as written; $pillar: the pillar that listed it first, on line $line.
config-room-twice = room `{ $room }` is already listed in pillar `{ $pillar }` (line { $line }); a room belongs to one pillar only, or messages would leak between pillars
# $zone: the time zone as written.
config-timezone = unknown time zone `{ $zone }`; expected an IANA name such as `Europe/Istanbul` or `UTC`
config-reminder-offset = expected a duration before the meeting between 1m and 14 days, such as `24h` or `90m`, found `{ $found }`

## [reports]
# $format: the format as written.
config-report-format = unknown report format `{ $format }`; expected `markdown`, `html` or `csv`
# $fields: how many fields the rule has; $rule: the rule as written.
config-cron-fields = expected a cron rule of 5 fields (minute hour day-of-month month day-of-week), e.g. `0 8 1 * *`; found { $fields ->
        [one] { $fields } field
       *[other] { $fields } fields
    } in `{ $rule }`
# $error: the cron reader's own words.
config-cron-invalid = invalid cron rule `{ $rule }`: { $error }
config-cron-never = cron rule `{ $rule }` never fires

## What `magnet check-config` prints about a valid config, line by line.
# $path: the file read.
config-describe-source = config: { $path }
config-describe-database = database: { $url }
# $source: a secret-source-* text.
config-describe-password = password from { $source }
config-describe-access-token = access token from { $source }
# $address: address and port.
config-describe-http = http: listening on { $address }
# $credential: config-describe-password or config-describe-access-token; $store: a folder.
config-describe-matrix = matrix: { $user } on { $homeserver } ({ $credential }), store { $store }
config-describe-matrix-none = matrix: not configured
config-describe-discord = discord: application { $application } at { $api } (token from { $source })
config-describe-discord-none = discord: not configured
config-describe-secretariat = secretariat:
# $list: comma-separated, or config-describe-none.
config-describe-matrix-users = matrix users: { $list }
config-describe-power-level = matrix power level >= { $level } in the secretariat rooms
config-describe-discord-roles = discord roles: { $list }
config-describe-rooms = rooms: matrix { $matrix }; discord { $discord }
config-describe-pillars = pillars: { $count }
# $name: the pillar's name as written; $language: its language tag; $zone: its time zone;
# $offsets: the reminder offsets, e.g. 24h, 1h.
config-describe-pillar = { $id } "{ $name }" ({ $language }, { $zone }), reminders { $offsets }
config-describe-pillar-matrix = matrix rooms: { $list }
config-describe-pillar-discord = discord channels: { $list }
config-describe-none = none

## [surveys]
config-anonymous-min-range = expected 1 to 1000 answers, found { $found }
config-secret-voter-key = the key of the anonymous voters' hashes
config-action-remind-before = `{ $found }` is not a span up to 30 days, like 1d or 36h.
