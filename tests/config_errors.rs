//! `magnet check-config` as an operator meets it: a good config is accepted and described,
//! and each kind of mistake is reported with file, line, key and what was expected, all
//! at once, with exit status 1. It speaks the language of the environment (LC_ALL,
//! LC_MESSAGES, LANG): English unless a test sets one.

use std::path::{Path, PathBuf};
use std::process::Command;

const VALID: &str = r##"
[database]
url = "sqlite://data/magnet.db"

[http]
listen = "127.0.0.1:0"

[matrix]
homeserver = "https://matrix.example.org"
user_id = "@magnet:example.org"
password_env = "TEST_MATRIX_PASSWORD"

[discord]
token_env = "TEST_DISCORD_TOKEN"
application_id = "1093848219043012608"

[secretariat]
matrix_users = ["@ayse:example.org"]
discord_roles = ["1093848219043012609"]

[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "Europe/Istanbul"
matrix_rooms = ["!auth:example.org"]
discord_channels = ["1093848219043012610"]

[[pillars]]
id = "civil-society"
name = "Civil society"
timezone = "Europe/Berlin"
matrix_rooms = ["#civil:example.org"]
discord_channels = [1093848219043012611]
"##;

struct Outcome {
    success: bool,
    stdout: String,
    stderr: String,
    file: PathBuf,
    _dir: tempfile::TempDir,
}

fn check_config(text: &str, env: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("magnet.toml");
    std::fs::write(&file, text).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_magnet"));
    command
        .arg("check-config")
        .arg(&file)
        .current_dir(dir.path())
        .env_remove("MAGNET_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("TEST_MATRIX_PASSWORD")
        .env_remove("TEST_DISCORD_TOKEN");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    Outcome {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        file,
        _dir: dir,
    }
}

const SECRETS: &[(&str, &str)] = &[("TEST_MATRIX_PASSWORD", "pw"), ("TEST_DISCORD_TOKEN", "tok")];

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the config"));
    text[..at].matches('\n').count() + 1
}

/// Replaces `from` with `to` once, failing if it is not there (so a test cannot go stale).
fn with(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the config");
    text.replacen(from, to, 1)
}

/// Asserts that the report holds a line `FILE:LINE: KEY: ...` mentioning `phrase`.
fn assert_reported(outcome: &Outcome, line: usize, key: &str, phrase: &str) {
    assert!(!outcome.success, "expected exit status 1; stdout:\n{}", outcome.stdout);
    let prefix = format!("{}:{line}: {key}: ", outcome.file.display());
    let found = outcome
        .stderr
        .lines()
        .any(|l| l.trim_start().starts_with(&prefix) && l.contains(phrase));
    assert!(
        found,
        "no line starting {prefix:?} and mentioning {phrase:?} in:\n{}",
        outcome.stderr
    );
}

#[test]
fn a_valid_config_is_accepted_and_described() {
    let outcome = check_config(VALID, SECRETS);
    assert!(outcome.success, "{}", outcome.stderr);
    assert!(outcome.stdout.contains("config OK"));
    assert!(
        outcome
            .stdout
            .contains("authorities \"Migration authorities\" (en, Europe/Istanbul)")
    );
    assert!(outcome.stdout.contains("matrix rooms: #civil:example.org"));
    assert!(outcome.stdout.contains("discord channels: 1093848219043012611"));
    assert!(outcome.stdout.contains("matrix users: @ayse:example.org"));
    assert!(outcome.stdout.contains("discord roles: 1093848219043012609"));
    // Where the secret comes from is shown; the secret itself never is.
    assert!(outcome.stdout.contains("environment variable TEST_MATRIX_PASSWORD"));
    assert!(!outcome.stdout.contains("pw\n") && !outcome.stdout.contains(" tok"));
    // No reports are made yet, so none is described as scheduled.
    assert!(!outcome.stdout.contains("reports"), "{}", outcome.stdout);
}

#[test]
fn an_unknown_key_is_named_with_a_suggestion() {
    let text = with(VALID, "timezone = \"Europe/Berlin\"", "timezon = \"Europe/Berlin\"");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "timezon ="),
        "pillars[1].timezon",
        "did you mean `timezone`?",
    );
    // The pillar now lacks its time zone too: both are reported at once.
    // A missing key is reported at the header of its section.
    let header = text[..text.rfind("[[pillars]]").unwrap()].matches('\n').count() + 1;
    assert_reported(&outcome, header, "pillars[1].timezone", "missing");
}

#[test]
fn a_wrong_type_says_what_was_expected() {
    let text = with(
        VALID,
        "matrix_rooms = [\"!auth:example.org\"]",
        "matrix_rooms = \"!auth:example.org\"",
    );
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "matrix_rooms = \"!auth"),
        "pillars[0].matrix_rooms",
        "expected an array of strings, found string",
    );
}

#[test]
fn bridge_settings_out_of_range_or_of_the_wrong_type_are_named() {
    let text = format!("{VALID}\n[bridge]\nmax_attempts = 0\nmatrix_notices = \"yes\"\n");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "max_attempts ="),
        "bridge.max_attempts",
        "expected 1 to 100 attempts, found 0",
    );
    assert_reported(
        &outcome,
        line_of(&text, "matrix_notices ="),
        "bridge.matrix_notices",
        "expected true or false",
    );
}

#[test]
fn schedule_settings_that_are_not_durations_are_named() {
    let text = format!("{VALID}\n[schedule]\ngrace = \"soon\"\nlate_limit = \"30d\"\n");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "grace ="),
        "schedule.grace",
        "expected a duration up to 7 days, such as `60s` or `2h`, found `soon`",
    );
    assert_reported(
        &outcome,
        line_of(&text, "late_limit ="),
        "schedule.late_limit",
        "found `30d`",
    );
}

#[test]
fn a_calendar_secret_written_in_the_file_is_refused() {
    let text = VALID.replace(
        "listen = \"127.0.0.1:0\"",
        "listen = \"127.0.0.1:0\"\ncalendar_secret = \"hunter2\"",
    );
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "calendar_secret ="),
        "http.calendar_secret",
        "must not be written in the config file",
    );
    assert!(!outcome.stderr.contains("hunter2"), "{}", outcome.stderr);
}

#[test]
fn a_bad_cron_rule_is_refused() {
    let text = format!("{VALID}\n[reports]\nschedule = \"0 25 * * *\"\n");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "schedule ="),
        "reports.schedule",
        "invalid cron rule `0 25 * * *`",
    );
}

#[test]
fn an_unknown_time_zone_is_refused() {
    let text = with(VALID, "Europe/Istanbul", "Europe/Ankara");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "Europe/Ankara"),
        "pillars[0].timezone",
        "unknown time zone `Europe/Ankara`",
    );
}

#[test]
fn a_malformed_matrix_room_and_discord_snowflake_are_refused() {
    let text = with(VALID, "\"!auth:example.org\"", "\"auth:example.org\"");
    let text = with(&text, "1093848219043012610", "10938482190430126x0");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "\"auth:example.org\""),
        "pillars[0].matrix_rooms",
        "expected a Matrix room id",
    );
    assert_reported(
        &outcome,
        line_of(&text, "10938482190430126x0"),
        "pillars[0].discord_channels",
        "expected a Discord id",
    );
}

#[test]
fn a_room_in_two_pillars_is_refused() {
    let text = with(VALID, "\"#civil:example.org\"", "\"!auth:example.org\"");
    let outcome = check_config(&text, SECRETS);
    let second = text.rfind("\"!auth:example.org\"").unwrap();
    let line = text[..second].matches('\n').count() + 1;
    assert_reported(&outcome, line, "pillars[1]", "already listed in pillar `authorities`");
}

#[test]
fn a_duplicate_pillar_id_is_refused() {
    let text = with(VALID, "id = \"civil-society\"", "id = \"authorities\"");
    let outcome = check_config(&text, SECRETS);
    let second = text.rfind("id = \"authorities\"").unwrap();
    let line = text[..second].matches('\n').count() + 1;
    assert_reported(&outcome, line, "pillars[1].id", "pillar id `authorities` is used twice");
}

#[test]
fn a_placeholder_left_from_the_example_is_refused() {
    let text = with(VALID, "\"@magnet:example.org\"", "\"<@magnet:example.org>\"");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "<@magnet"),
        "matrix.user_id",
        "placeholder from the example config",
    );
}

#[test]
fn a_missing_secret_variable_is_named() {
    let outcome = check_config(VALID, &[("TEST_MATRIX_PASSWORD", "pw")]);
    assert_reported(
        &outcome,
        line_of(VALID, "token_env"),
        "discord.token_env",
        "environment variable TEST_DISCORD_TOKEN is not set",
    );
}

#[test]
fn an_inline_secret_is_refused_with_an_explanation_and_not_echoed() {
    let text = with(
        VALID,
        "password_env = \"TEST_MATRIX_PASSWORD\"",
        "password = \"hunter2-secret\"",
    );
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "password ="),
        "matrix.password",
        "must not be written in the config file",
    );
    assert!(
        !outcome.stderr.contains("hunter2-secret"),
        "the secret was echoed:\n{}",
        outcome.stderr
    );
}

/// A token written in the file beside its `_env` or `_file` key is the one mistake
/// reported: the other key is not called unknown.
#[test]
fn an_inline_token_beside_its_source_is_the_only_mistake() {
    for source in [
        "token_env = \"TEST_DISCORD_TOKEN\"",
        "token_file = \"/run/secrets/discord\"",
    ] {
        let text = with(
            VALID,
            "token_env = \"TEST_DISCORD_TOKEN\"",
            &format!("token = \"MTA5.secret-bot-token\"\n{source}"),
        );
        let outcome = check_config(&text, SECRETS);
        assert_reported(
            &outcome,
            line_of(&text, "token ="),
            "discord.token",
            "must not be written in the config file",
        );
        assert!(
            outcome.stderr.starts_with("1 problem in the configuration"),
            "{source}:\n{}",
            outcome.stderr
        );
        assert!(!outcome.stderr.contains("secret-bot-token"), "{}", outcome.stderr);
    }
}

#[test]
fn an_unsupported_database_scheme_is_refused() {
    let text = with(VALID, "sqlite://data/magnet.db", "mysql://db.example.org/magnet");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "mysql://"),
        "database.url",
        "unsupported database scheme `mysql`",
    );
}

#[test]
fn a_password_in_the_database_url_is_refused_and_not_echoed() {
    let text = with(
        VALID,
        "sqlite://data/magnet.db",
        "postgres://magnet:s3cret-pw@db.example.org/magnet",
    );
    let outcome = check_config(&text, SECRETS);
    assert_reported(&outcome, line_of(&text, "postgres://"), "database.url", "password_env");
    assert!(!outcome.stderr.contains("s3cret-pw"));
}

#[test]
fn broken_toml_syntax_points_at_the_line() {
    let text = with(VALID, "name = \"Civil society\"", "name = \"Civil society");
    let outcome = check_config(&text, SECRETS);
    assert_reported(
        &outcome,
        line_of(&text, "name = \"Civil society"),
        "(syntax)",
        "not valid TOML",
    );
}

#[test]
fn many_mistakes_are_reported_together() {
    let text = with(VALID, "Europe/Berlin", "Mars/Olympus");
    let text = with(&text, "127.0.0.1:0", "localhost");
    let text = with(&text, "[[pillars]]", "[[pilars]]");
    let outcome = check_config(&text, SECRETS);
    assert!(!outcome.success);
    assert!(outcome.stderr.contains("3 problems"), "{}", outcome.stderr);
    assert_reported(
        &outcome,
        line_of(&text, "[[pilars]]"),
        "pilars",
        "did you mean `pillars`?",
    );
    assert_reported(
        &outcome,
        line_of(&text, "Mars/Olympus"),
        "pillars[0].timezone",
        "unknown time zone",
    );
    assert_reported(
        &outcome,
        line_of(&text, "localhost"),
        "http.listen",
        "expected an address and port",
    );
}

#[test]
fn rooms_without_a_platform_section_are_refused() {
    let start = VALID.find("[discord]").unwrap();
    let end = VALID.find("[secretariat]").unwrap();
    let text = format!("{}{}", &VALID[..start], &VALID[end..]);
    let outcome = check_config(&text, SECRETS);
    assert_reported(&outcome, 1, "discord", "Discord channels are listed");
}

/// The example config, with its placeholders filled in as an operator would, is valid;
/// left as it is, each placeholder is reported.
#[test]
fn the_example_config_passes_once_its_placeholders_are_filled() {
    let example_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/magnet.example.toml");
    let example = std::fs::read_to_string(&example_path).unwrap();
    let env = &[("MAGNET_MATRIX_PASSWORD", "pw"), ("MAGNET_DISCORD_TOKEN", "tok")];

    let untouched = check_config(&example, env);
    assert!(!untouched.success);
    let placeholders = example.matches("\"<").count();
    let reported = untouched.stderr.matches("placeholder from the example config").count();
    assert_eq!(
        reported, placeholders,
        "every placeholder is reported:\n{}",
        untouched.stderr
    );

    let mut filled = example.clone();
    let mut snowflake = 1093848219043012600u64;
    while let Some(start) = filled.find("\"<") {
        let end = start + filled[start..].find(">\"").expect("a closed placeholder") + 2;
        let inner = &filled[start + 2..end - 2];
        // URLs and Matrix ids are written inside the brackets; Discord ids are described.
        let value = if inner.starts_with("http") || inner.starts_with(['@', '!', '#']) {
            inner.to_string()
        } else {
            snowflake += 1;
            snowflake.to_string()
        };
        filled.replace_range(start..end, &format!("\"{value}\""));
    }
    let outcome = check_config(&filled, env);
    assert!(outcome.success, "filled example refused:\n{}", outcome.stderr);
    assert!(outcome.stdout.contains("pillars: 2"));
}

/// With `LANG=tr_TR.UTF-8` the report and the description are in Turkish; file, line and
/// key, and the values as written, are the same as in English.
#[test]
fn in_a_turkish_environment_the_report_and_the_description_are_turkish() {
    let turkish: &[(&str, &str)] = &[
        ("TEST_MATRIX_PASSWORD", "pw"),
        ("TEST_DISCORD_TOKEN", "tok"),
        ("LANG", "tr_TR.UTF-8"),
    ];
    let text = with(VALID, "Europe/Berlin", "Mars/Olympus");
    let text = with(&text, "127.0.0.1:0", "localhost");
    let text = with(&text, "[[pillars]]", "[[pilars]]");
    let outcome = check_config(&text, turkish);
    assert!(
        outcome.stderr.starts_with("Yapılandırmada 3 sorun var:"),
        "{}",
        outcome.stderr
    );
    assert_reported(
        &outcome,
        line_of(&text, "[[pilars]]"),
        "pilars",
        "bilinmeyen anahtar; `pillars` mı demek istediniz?",
    );
    assert_reported(
        &outcome,
        line_of(&text, "Mars/Olympus"),
        "pillars[0].timezone",
        "bilinmeyen saat dilimi `Mars/Olympus`",
    );
    assert_reported(
        &outcome,
        line_of(&text, "localhost"),
        "http.listen",
        "beklenen: `127.0.0.1:8080` gibi bir adres ve bağlantı noktası; bulunan: `localhost`",
    );

    let outcome = check_config(VALID, turkish);
    assert!(outcome.success, "{}", outcome.stderr);
    for line in [
        "sekretarya:",
        "matrix kullanıcıları: @ayse:example.org",
        "çalışma grupları: 2",
        "authorities \"Migration authorities\" (en, Europe/Istanbul), hatırlatmalar: 24 sa, 1 sa",
        "matrix odaları: #civil:example.org",
        "parolanın kaynağı: TEST_MATRIX_PASSWORD ortam değişkeni",
    ] {
        assert!(outcome.stdout.contains(line), "{line:?} not in:\n{}", outcome.stdout);
    }
    assert!(!outcome.stdout.contains("pw\n") && !outcome.stdout.contains(" tok"));
}

#[test]
fn rapporteurs_and_action_reminders_are_checked() {
    let text = VALID.replacen(
        "discord_channels = [\"1093848219043012610\"]\n",
        "discord_channels = [\"1093848219043012610\"]\nrapporteurs = { matrix = [\"deniz\"], discord = [\"bora\"] }\n",
        1,
    ) + "\n[actions]\nremind_before = \"a fortnight\"\n";
    let outcome = check_config(&text, SECRETS);
    assert!(!outcome.success);
    let line = line_of(&text, "rapporteurs =");
    assert_reported(&outcome, line, "pillars[0].rapporteurs.matrix", "@");
    assert_reported(&outcome, line, "pillars[0].rapporteurs.discord", "bora");
    assert_reported(
        &outcome,
        line_of(&text, "a fortnight"),
        "actions.remind_before",
        "is not a span up to 30 days",
    );

    let fine = VALID.replacen(
        "discord_channels = [\"1093848219043012610\"]\n",
        "discord_channels = [\"1093848219043012610\"]\nrapporteurs = { matrix = [\"@deniz:example.org\"], discord = [\"1093848219043012999\"] }\n",
        1,
    ) + "\n[actions]\nremind_before = \"2d\"\n";
    let outcome = check_config(&fine, SECRETS);
    assert!(outcome.success, "{}", outcome.stderr);
}
