//! A report's files: the Markdown (whole, and short for chat) and the self-contained HTML
//! with SVG charts come from templates (minijinja; every word from the catalogues), the
//! charts from charts-rs, the CSV files from the csv crate, one per table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use charts_rs::{BarChart, LineChart};
use minijinja::value::{Kwargs, Serde, Value};
use minijinja::{Environment, context};

use super::figures::{self, Report};
use super::period::Period;
use crate::config::ReportFormat;
use crate::i18n::{self, Lang};

const MARKDOWN: &str = include_str!("../../templates/report.md.j2");
const CHAT: &str = include_str!("../../templates/chat.md.j2");
const HTML: &str = include_str!("../../templates/report.html.j2");

/// The templates, with `t(key, name=value…)` for the catalogues' words in `lang` and the
/// `md` filter that keeps people's words from turning into Markdown.
fn environment(lang: Lang) -> Environment<'static> {
    let mut env = Environment::new();
    env.add_template("report.md", MARKDOWN)
        .expect("the Markdown template is valid");
    env.add_template("chat.md", CHAT).expect("the chat template is valid");
    env.add_template("report.html", HTML)
        .expect("the HTML template is valid");
    env.add_function(
        "t",
        move |key: String, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let mut args = i18n::Args::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                match value.as_i64() {
                    Some(number) => args.set(name.to_string(), number),
                    None => args.set(
                        name.to_string(),
                        value.as_str().map_or_else(|| value.to_string(), str::to_string),
                    ),
                }
            }
            Ok(i18n::text(lang, &key, Some(&args)))
        },
    );
    env.add_filter("md", |text: String| crate::schedule::render::escape(&text));
    env
}

/// The whole report as Markdown.
pub fn markdown(report: &Report) -> Result<String, minijinja::Error> {
    let env = environment(report.lang);
    env.get_template("report.md")?
        .render(context! { r => Serde(report) })
        .map(|text| tidy(&text))
}

/// The short text posted in chat with the report.
pub fn chat(report: &Report) -> Result<String, minijinja::Error> {
    let env = environment(report.lang);
    env.get_template("chat.md")?
        .render(context! { r => Serde(report) })
        .map(|text| tidy(&text))
}

/// One HTML file with everything in it: styles, and the charts as inline SVG.
pub fn html(report: &Report, period: &Period) -> Result<String, minijinja::Error> {
    let env = environment(report.lang);
    let charts = Charts::of(report, period);
    env.get_template("report.html")?.render(context! {
        r => Serde(report),
        lang => report.lang.tag(),
        charts => context! {
            activity => charts.activity,
            attendance => charts.attendance,
            surveys => Serde(&charts.surveys),
        },
    })
}

/// No runs of blank lines, one newline at the end.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim().to_string() + "\n"
}

/// The report's charts, as SVG.
struct Charts {
    activity: String,
    attendance: String,
    /// By `"<survey>-<question>"`.
    surveys: BTreeMap<String, String>,
}

const FONTS: &str = "Roboto, Arial, sans-serif";

impl Charts {
    fn of(report: &Report, period: &Period) -> Charts {
        let lang = report.lang;
        let days: Vec<String> = (0..period.days() as usize)
            .map(|d| figures::day_of(period, d).format("%m-%d").to_string())
            .collect();
        let series = report
            .pillars
            .iter()
            .map(|p| (p.name.as_str(), p.daily.iter().map(|n| *n as f32).collect::<Vec<f32>>()).into())
            .collect();
        let mut activity = LineChart::new(series, days);
        activity.title.text = i18n::text(lang, "report-chart-activity", None);
        activity.font_family = FONTS.to_string();
        activity.width = 900.0;
        let names: Vec<String> = report.pillars.iter().map(|p| p.name.clone()).collect();
        let yes: Vec<f32> = report.pillars.iter().map(|p| p.rsvp_yes as f32).collect();
        let attended: Vec<f32> = report.pillars.iter().map(|p| p.attended as f32).collect();
        let mut attendance = BarChart::new(
            vec![
                (i18n::text(lang, "report-chart-yes", None).as_str(), yes).into(),
                (i18n::text(lang, "report-chart-attended", None).as_str(), attended).into(),
            ],
            names,
        );
        attendance.title.text = i18n::text(lang, "report-chart-attendance", None);
        attendance.font_family = FONTS.to_string();
        attendance.width = 900.0;
        let mut surveys = BTreeMap::new();
        for survey in report.surveys.iter().filter(|s| !s.hidden) {
            for question in survey.questions.iter().filter(|q| !q.options.is_empty()) {
                let labels: Vec<String> = question.options.iter().map(|o| o.label.clone()).collect();
                let counts: Vec<f32> = question.options.iter().map(|o| o.count as f32).collect();
                let mut chart = BarChart::new(
                    vec![(i18n::text(lang, "report-chart-answers", None).as_str(), counts).into()],
                    labels,
                );
                chart.title.text = format!("{}. {}", question.number, question.prompt);
                chart.font_family = FONTS.to_string();
                chart.height = 300.0;
                surveys.insert(
                    format!("{}-{}", survey.id, question.number),
                    chart.svg().unwrap_or_default(),
                );
            }
        }
        Charts {
            activity: activity.svg().unwrap_or_default(),
            attendance: attendance.svg().unwrap_or_default(),
            surveys,
        }
    }
}

/// Writes the report's files in `dir` (made if missing) in the formats asked for; the
/// paths written. Nothing is left half-written: each file goes to a temporary name first.
pub fn write(report: &Report, period: &Period, formats: &[ReportFormat], dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), String> {
        let path = dir.join(name);
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, bytes).map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &path).map_err(|e| e.to_string())?;
        written.push(path);
        Ok(())
    };
    for format in formats {
        match format {
            ReportFormat::Markdown => put("report.md", markdown(report).map_err(|e| e.to_string())?.as_bytes())?,
            ReportFormat::Html => put(
                "report.html",
                html(report, period).map_err(|e| e.to_string())?.as_bytes(),
            )?,
            ReportFormat::Csv => {
                for (name, table) in super::tables::all(report).map_err(|e| e.to_string())? {
                    put(&format!("{name}.csv"), &table)?;
                }
            }
        }
    }
    Ok(written)
}
