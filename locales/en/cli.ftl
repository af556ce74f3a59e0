# What the command line prints for people, in the language of LANG.

## `magnet --help`: what the program and each command and option is for.
cli-about = Bridges, meetings, surveys, summaries and reports for a network on Matrix and Discord
cli-heading-usage = Usage:
cli-heading-commands = Commands
cli-heading-options = Options
cli-heading-arguments = Arguments
cli-flag-help = Print help
cli-flag-version = Print version
cli-arg-config = The config file. Without it, config/magnet.toml is used if it exists, and the embedded defaults (SQLite in data/, no chat platforms) otherwise.
cli-cmd-run = Run the bot: storage, migrations, the health endpoint and the configured platforms, until SIGINT or SIGTERM.
cli-cmd-check-config = Validate a config file and print what it resolves to. If there are mistakes, list each with file, line and key, and exit with status 1.
cli-arg-check-config-path = The file to check (overrides --config).
cli-cmd-migrate = Apply the database migrations and exit.
cli-cmd-report = Write the report of a period (the last month unless --from and --to) to a folder of its own under the output folder.
cli-arg-report-from = The first day, YYYY-MM-DD.
cli-arg-report-to = The last day, YYYY-MM-DD.
cli-arg-report-pillar = Only this pillar.
cli-arg-report-format = markdown, html, csv, separated by commas (default: [reports] formats).
cli-arg-report-output = Write under this folder instead of [reports] output_dir.
cli-cmd-calendar = Write a pillar's meetings as an iCalendar feed (the same one the HTTP listener serves).
cli-arg-calendar-pillar = The pillar's id.
cli-arg-calendar-output = Write to this file instead of standard output.
cli-arg-calendar-link = Print the feed's secret address on the HTTP listener instead (to give to the pillar's members; needs [http] calendar_secret_env or calendar_secret_file).

## What the commands print.
# $help is the command that shows the help.
cli-help-hint = For more, run `{ $help }`.
cli-config-ok = config OK
cli-migrated = database migrated: { $count ->
    [one] { $count } migration applied
   *[other] { $count } migrations applied
}, newest version { $version }
# $known lists the configured pillars' ids.
cli-no-pillar = there is no pillar `{ $pillar }`; pillars: { $known }
cli-calendar-needs-secret = calendar feeds are served only with a secret: set [http] calendar_secret_env or calendar_secret_file
cli-calendar-secret-unreadable = reading the calendar secret: { $error }
cli-cannot-write = cannot write { $path }: { $error }
cli-no-runtime = cannot start the async runtime: { $error }
cli-cmd-survey = Surveys, for the secretariat's files.
cli-cmd-survey-export = Write a survey (its questions, results, answers and response rate) as CSV or JSON; an anonymous survey's answers carry no voter.
cli-arg-survey-export-id = The survey's number.
cli-arg-survey-export-format = csv (one row per answer) or json.
cli-arg-survey-export-output = Write to this file instead of standard output.
cli-no-survey = there is no survey #{ $id }
