//! The report's tables as CSV, one file per table, for spreadsheets: the same figures as
//! the Markdown and HTML, one row per thing counted.

use super::figures::Report;

/// `(file name without .csv, bytes)` for each table.
pub fn all(report: &Report) -> Result<Vec<(&'static str, Vec<u8>)>, csv::Error> {
    Ok(vec![
        ("pillars", pillars(report)?),
        ("sessions", sessions(report)?),
        ("activity", activity(report)?),
        ("daily_messages", daily(report)?),
        ("surveys", surveys(report)?),
        ("survey_results", survey_results(report)?),
        ("decisions", decisions(report)?),
        ("overdue_actions", overdue(report)?),
    ])
}

fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(&row)?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

fn pillars(report: &Report) -> Result<Vec<u8>, csv::Error> {
    table(
        &[
            "pillar",
            "from",
            "to",
            "held",
            "cancelled",
            "moved",
            "rsvp_yes",
            "rsvp_maybe",
            "rsvp_no",
            "attended",
            "reminders_on_time",
            "reminders_late",
            "reminders_missed",
            "summaries",
            "decisions",
            "actions_opened",
            "actions_done",
            "actions_open",
            "actions_overdue",
            "messages",
            "participants",
            "deliveries",
            "deliveries_failed",
            "deliveries_retried",
        ],
        report.pillars.iter().map(|p| {
            vec![
                p.id.clone(),
                report.from.clone(),
                report.to.clone(),
                p.held.to_string(),
                p.cancelled.to_string(),
                p.moved.to_string(),
                p.rsvp_yes.to_string(),
                p.rsvp_maybe.to_string(),
                p.rsvp_no.to_string(),
                p.attended.to_string(),
                p.reminders_sent.to_string(),
                p.reminders_late.to_string(),
                p.reminders_missed.to_string(),
                p.summaries.len().to_string(),
                p.decisions.to_string(),
                p.actions_opened.to_string(),
                p.actions_done.to_string(),
                p.actions_open.to_string(),
                p.overdue.len().to_string(),
                p.messages.to_string(),
                p.participants.to_string(),
                p.deliveries.to_string(),
                p.deliveries_failed.to_string(),
                p.deliveries_retried.to_string(),
            ]
        }),
    )
}

fn sessions(report: &Report) -> Result<Vec<u8>, csv::Error> {
    table(
        &[
            "pillar",
            "meeting",
            "title",
            "starts",
            "state",
            "rsvp_yes",
            "rsvp_maybe",
            "rsvp_no",
            "attended",
        ],
        report.pillars.iter().flat_map(|p| {
            p.sessions.iter().map(|s| {
                vec![
                    p.id.clone(),
                    s.meeting.to_string(),
                    s.title.clone(),
                    s.when.clone(),
                    s.state.clone(),
                    s.yes.to_string(),
                    s.maybe.to_string(),
                    s.no.to_string(),
                    s.attended.to_string(),
                ]
            })
        }),
    )
}

fn activity(report: &Report) -> Result<Vec<u8>, csv::Error> {
    table(
        &[
            "pillar",
            "platform",
            "messages",
            "participants",
            "deliveries",
            "deliveries_failed",
            "deliveries_retried",
        ],
        report.pillars.iter().flat_map(|p| {
            p.platforms.iter().map(|l| {
                vec![
                    p.id.clone(),
                    l.platform.clone(),
                    l.messages.to_string(),
                    l.participants.to_string(),
                    l.deliveries.to_string(),
                    l.failed.to_string(),
                    l.retried.to_string(),
                ]
            })
        }),
    )
}

fn daily(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let from = chrono::NaiveDate::parse_from_str(&report.from, "%Y-%m-%d").unwrap_or_default();
    table(
        &["pillar", "day", "messages"],
        report.pillars.iter().flat_map(|p| {
            p.daily.iter().enumerate().map(move |(n, count)| {
                vec![
                    p.id.clone(),
                    (from + chrono::Days::new(n as u64)).format("%Y-%m-%d").to_string(),
                    count.to_string(),
                ]
            })
        }),
    )
}

fn surveys(report: &Report) -> Result<Vec<u8>, csv::Error> {
    table(
        &[
            "survey",
            "title",
            "state",
            "closes",
            "anonymous",
            "respondents",
            "pillar",
            "answered",
            "members",
            "rate_percent",
        ],
        report.surveys.iter().flat_map(|s| {
            s.pillars.iter().map(|pl| {
                vec![
                    s.id.to_string(),
                    s.title.clone(),
                    s.state.clone(),
                    s.closes.clone(),
                    s.anonymous.to_string(),
                    s.respondents.to_string(),
                    pl.name.clone(),
                    pl.answered.to_string(),
                    pl.members.map(|m| m.to_string()).unwrap_or_default(),
                    pl.rate.map(|r| r.to_string()).unwrap_or_default(),
                ]
            })
        }),
    )
}

fn survey_results(report: &Report) -> Result<Vec<u8>, csv::Error> {
    table(
        &[
            "survey", "question", "prompt", "kind", "answer", "count", "percent", "mean",
        ],
        report.surveys.iter().filter(|s| !s.hidden).flat_map(|s| {
            s.questions.iter().flat_map(move |q| {
                q.options.iter().map(move |o| {
                    vec![
                        s.id.to_string(),
                        q.number.to_string(),
                        q.prompt.clone(),
                        q.kind.clone(),
                        o.label.clone(),
                        o.count.to_string(),
                        o.percent.to_string(),
                        q.mean.clone().unwrap_or_default(),
                    ]
                })
            })
        }),
    )
}

fn decisions(report: &Report) -> Result<Vec<u8>, csv::Error> {
    table(
        &["pillar", "summary", "published", "decision"],
        report.pillars.iter().flat_map(|p| {
            p.summaries.iter().flat_map(move |s| {
                s.decisions
                    .iter()
                    .map(move |d| vec![p.id.clone(), s.id.to_string(), s.date.clone(), d.clone()])
            })
        }),
    )
}

fn overdue(report: &Report) -> Result<Vec<u8>, csv::Error> {
    table(
        &["pillar", "action", "summary", "what", "owner", "due", "state"],
        report.pillars.iter().flat_map(|p| {
            p.overdue.iter().map(|a| {
                vec![
                    p.id.clone(),
                    a.id.to_string(),
                    a.summary.to_string(),
                    a.what.clone(),
                    a.owner.clone(),
                    a.due.clone(),
                    a.state.clone(),
                ]
            })
        }),
    )
}
