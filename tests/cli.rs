//! The `magnet` binary as an operator runs it: help, migrate, run with the health endpoint,
//! a clean stop on SIGTERM, clear failures, and no secret in any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use magnet_testkit::MagnetProcess;

const BIN: &str = env!("CARGO_BIN_EXE_magnet");
const START: Duration = Duration::from_secs(30);

fn magnet(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("MAGNET_CONFIG")
        // What it prints follows the locale; these tests read English.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_config(dir: &Path, database: &str) -> PathBuf {
    let path = dir.join("magnet.toml");
    let config = format!(
        "{database}\n[http]\nlisten = \"127.0.0.1:0\"\n\n[[pillars]]\nid = \"authorities\"\nname = \"Authorities\"\ntimezone = \"Europe/Istanbul\"\n"
    );
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["check-config", "--help"],
        &["migrate", "--help"],
        &["report", "--help"],
    ] {
        let output = magnet(dir.path(), args);
        assert!(output.status.success(), "{args:?}");
        assert!(
            text(&output.stdout).contains("Usage: magnet"),
            "{args:?}: {}",
            text(&output.stdout)
        );
    }
    let output = magnet(dir.path(), &["frobnicate"]);
    assert!(!output.status.success());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("`frobnicate` is not a command here."),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn in_a_turkish_environment_help_and_mistakes_are_turkish() {
    let dir = tempfile::tempdir().unwrap();
    let turkish = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .env_remove("MAGNET_CONFIG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "tr_TR.UTF-8")
            .output()
            .unwrap()
    };
    let output = turkish(&["--help"]);
    assert!(output.status.success());
    let help = text(&output.stdout);
    assert!(help.contains("Kullanım: magnet"), "{help}");
    assert!(help.contains("Veritabanı geçişlerini uygular ve çıkar."), "{help}");
    let output = turkish(&["migrat"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("`migrat` burada bir komut değil. `migrate` mı demek istediniz?"),
        "{}",
        text(&output.stderr)
    );
    let output = turkish(&["migrate"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("veritabanı güncellendi:"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn without_a_config_file_the_embedded_defaults_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let output = magnet(dir.path(), &["check-config"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let described = text(&output.stdout);
    assert!(described.contains("config: <embedded default>"), "{described}");
    assert!(described.contains("database: sqlite://data/magnet.db"));
    assert!(!described.contains("reports"), "no reports are made yet: {described}");

    let output = magnet(dir.path(), &["migrate"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        dir.path().join("data/magnet.db").exists(),
        "the SQLite file and its folder are created"
    );
}

#[test]
fn migrate_on_sqlite_applies_once_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[database]\nurl = \"sqlite://state/bot.db\"");
    for _ in 0..2 {
        let output = magnet(dir.path(), &["--config", config.to_str().unwrap(), "migrate"]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(
            text(&output.stdout).contains(&all_applied()),
            "{}",
            text(&output.stdout)
        );
    }
    assert!(dir.path().join("state/bot.db").exists());
}

#[tokio::test]
async fn migrate_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let url = magnet_testkit::postgres::fresh_database().await;
    let config = write_config(dir.path(), &format!("[database]\nurl = \"{url}\""));
    let output = magnet(dir.path(), &["--config", config.to_str().unwrap(), "migrate"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains(&all_applied()),
        "{}",
        text(&output.stdout)
    );
}

/// What `migrate` says once every migration in the repository is applied.
fn all_applied() -> String {
    let count = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|e| e == "sql"))
        .count();
    format!("{count} migrations applied, newest version {count}")
}

/// Starts `magnet run`, checks `/healthz`, stops it with SIGTERM; returns its log.
async fn run_serve_and_stop(dir: &Path, config: &Path) -> Vec<String> {
    let process = MagnetProcess::start(Path::new(BIN), config, dir, &[]).unwrap();
    let addr = process.http_addr(START).unwrap();
    let response = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok\n");
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("magnet_inbound_events_total 0\n"), "{metrics}");
    assert!(metrics.contains("magnet_deliveries{state=\"dead\"} 0\n"), "{metrics}");
    process.wait_for_log("no chat platform configured", START).unwrap();
    let log = process.log_lines();
    let status = process.stop(Duration::from_secs(20)).unwrap();
    assert!(status.success(), "magnet exited with {status} after SIGTERM");
    log
}

#[tokio::test]
async fn run_on_sqlite_serves_health_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[database]\nurl = \"sqlite://data/magnet.db\"");
    run_serve_and_stop(dir.path(), &config).await;
    // The migrations ran at start: `migrate` finds nothing left to do and the pillar is there.
    let output = magnet(dir.path(), &["--config", config.to_str().unwrap(), "migrate"]);
    assert!(
        text(&output.stdout).contains(&all_applied()),
        "{}",
        text(&output.stdout)
    );
}

#[tokio::test]
async fn a_second_run_on_the_same_sqlite_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[database]\nurl = \"sqlite://data/magnet.db\"");
    let first = MagnetProcess::start(Path::new(BIN), &config, dir.path(), &[]).unwrap();
    let addr = first.http_addr(START).unwrap();
    // A second instance started by mistake on the same file: refused before it serves or
    // writes anything, saying who holds the file.
    let second = magnet(dir.path(), &["--config", config.to_str().unwrap(), "run"]);
    assert_eq!(second.status.code(), Some(1), "{}", text(&second.stderr));
    let said = text(&second.stderr);
    assert!(
        said.contains("another magnet process")
            && said.contains(&format!("process {}", first.pid()))
            && said.contains("data/magnet.db"),
        "{said}"
    );
    assert!(!said.contains("http listener bound"), "{said}");
    // The first goes on serving, and once it has stopped the file is free again.
    let response = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(first.stop(Duration::from_secs(20)).unwrap().success());
    run_serve_and_stop(dir.path(), &config).await;
}

#[tokio::test]
async fn run_on_postgres_never_shows_the_database_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = magnet_testkit::postgres::fresh_database().await;
    // The test cluster trusts loopback, so any password works; the point is where it shows.
    let secret = dir.path().join("db-password");
    std::fs::write(&secret, "Sekr1t-db-pw\n").unwrap();
    let database = format!("[database]\nurl = \"{url}\"\npassword_file = \"{}\"", secret.display());
    let config = write_config(dir.path(), &database);
    let log = run_serve_and_stop(dir.path(), &config).await;
    assert!(log.iter().any(|line| line.contains("backend=Postgres")), "{log:#?}");
    assert!(log.iter().all(|line| !line.contains("Sekr1t-db-pw")));

    let output = magnet(dir.path(), &["check-config", config.to_str().unwrap()]);
    assert!(output.status.success());
    assert!(!text(&output.stdout).contains("Sekr1t-db-pw"));
    assert!(text(&output.stdout).contains(&format!("password from file {}", secret.display())));
}

#[test]
fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret = dir.path().join("db-password");
    std::fs::write(&secret, "Sekr1t-db-pw").unwrap();
    let database = format!(
        "[database]\nurl = \"postgres://magnet@127.0.0.1:{port}/magnet\"\npassword_file = \"{}\"",
        secret.display()
    );
    let config = write_config(dir.path(), &database);
    let output = magnet(dir.path(), &["--config", config.to_str().unwrap(), "run"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("PostgreSQL at postgres://magnet@127.0.0.1:{port}/magnet")),
        "{stderr}"
    );
    assert!(!stderr.contains("Sekr1t-db-pw"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn run_with_a_broken_config_lists_the_mistakes_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("magnet.toml");
    std::fs::write(&path, "[http]\nlisen = \"127.0.0.1:0\"\n").unwrap();
    let output = magnet(dir.path(), &["--config", path.to_str().unwrap(), "run"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:2: http.lisen: unknown key; did you mean `listen`?",
            path.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_missing_config_file_named_explicitly_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = magnet(dir.path(), &["--config", "nowhere.toml", "run"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("nowhere.toml:0: (file): cannot read the config file"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn report_writes_a_folder_of_files_and_refuses_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!(
        "[database]\nurl = \"sqlite://{}\"",
        dir.path().join("magnet.db").display()
    );
    let config = write_config(dir.path(), &db);
    let config = config.to_str().unwrap();
    let out = dir.path().join("out");
    let output = magnet(
        dir.path(),
        &[
            "--config",
            config,
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let folder = out.join("2026-11-01_2026-11-30");
    assert!(
        text(&output.stdout).contains(&folder.display().to_string()),
        "{}",
        text(&output.stdout)
    );
    for file in ["report.md", "report.html", "pillars.csv", "sessions.csv", "chat.md"] {
        assert!(folder.join(file).exists(), "{file}");
    }
    let only_csv = magnet(
        dir.path(),
        &[
            "--config",
            config,
            "report",
            "--format",
            "csv",
            "--pillar",
            "authorities",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert!(only_csv.status.success(), "{}", text(&only_csv.stderr));

    // A file where the folder should be: nothing can be written there.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "a file").unwrap();
    for (args, expected) in [
        (
            vec!["--output", blocked.to_str().unwrap()],
            "Cannot write the report to",
        ),
        (
            vec!["--from", "2026-11-30", "--to", "2026-11-01"],
            "starts (2026-11-30) after it ends",
        ),
        (vec!["--from", "2020-01-01", "--to", "2026-11-01"], "at most 5 years"),
        (vec!["--format", "pdf"], "`pdf` is not a report format"),
        (vec!["--pillar", "nowhere"], "There is no pillar `nowhere`"),
    ] {
        let mut all = vec!["--config", config, "report"];
        all.extend(args.iter().copied());
        let output = magnet(dir.path(), &all);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            text(&output.stderr).contains(expected),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
}
