//! Linked accounts: a person's Matrix and Discord accounts, once linked with a one-time
//! code, share one key, so that they count once in surveys and meeting answers. Linking
//! merges what the two accounts answered in surveys still open and meetings still to come
//! (the later answer stays); unlinking gives each answer back to the account that gave it.

use magnet_chat::Platform;
use sqlx::Row;

use super::surveys::account_key;
use super::{Result, Store};

/// What became of a code given to link accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// Linked with this account.
    Linked { platform: Platform, user_id: String },
    /// No such code (or used already).
    Unknown,
    /// Its time has passed.
    Expired,
    /// It was asked for on this platform: it is to be given on the other.
    SamePlatform,
}

impl Store {
    /// Keeps a new code for an account, replacing any earlier one of it.
    pub async fn issue_link_code(&self, platform: Platform, user_id: &str, code: &str, expires_at: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM link_codes WHERE platform = $1 AND user_id = $2")
            .bind(platform.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO link_codes (code, platform, user_id, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(code)
            .bind(platform.as_str())
            .bind(user_id)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links the account that gives a code with the one that was given it, once, in one
    /// transaction with the merge of their answers.
    pub async fn redeem_link_code(&self, code: &str, platform: Platform, user_id: &str, now: i64) -> Result<Redeemed> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query("SELECT platform, user_id, expires_at FROM link_codes WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(Redeemed::Unknown);
        };
        let other_platform: String = row.try_get("platform")?;
        let other_user: String = row.try_get("user_id")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        if other_platform == platform.as_str() {
            return Ok(Redeemed::SamePlatform);
        }
        sqlx::query("DELETE FROM link_codes WHERE code = $1")
            .bind(code)
            .execute(&mut *tx)
            .await?;
        if expires_at <= now {
            tx.commit().await?;
            return Ok(Redeemed::Expired);
        }
        let other = Platform::parse(&other_platform).unwrap_or(Platform::Matrix);
        let mine = person_of(&mut tx, platform, user_id).await?;
        let theirs = person_of(&mut tx, other, &other_user).await?;
        // One person: an existing key if either had one, else a new one.
        let person = mine
            .clone()
            .or_else(|| theirs.clone())
            .unwrap_or_else(|| format!("person:{:016x}", rand::random::<u64>()));
        let mut keys = vec![account_key(platform, user_id), account_key(other, &other_user)];
        keys.extend(mine.iter().chain(theirs.iter()).filter(|k| **k != person).cloned());
        for old in keys.iter().filter(|k| k.starts_with("person:")) {
            sqlx::query("UPDATE linked_accounts SET person = $1 WHERE person = $2")
                .bind(&person)
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        for (account_platform, account_user) in [(platform, user_id), (other, other_user.as_str())] {
            sqlx::query(
                "INSERT INTO linked_accounts (platform, user_id, person, linked_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (platform, user_id) DO UPDATE SET person = excluded.person",
            )
            .bind(account_platform.as_str())
            .bind(account_user)
            .bind(&person)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for key in &keys {
            merge_answers(&mut tx, key, &person).await?;
        }
        merge_rsvps(&mut tx, &person).await?;
        tx.commit().await?;
        Ok(Redeemed::Linked {
            platform: other,
            user_id: other_user,
        })
    }

    /// Takes an account out of its person: its answers in surveys still open go back to
    /// the accounts that gave them. Whether it was linked.
    pub async fn unlink(&self, platform: Platform, user_id: &str) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let Some(person) = person_of(&mut tx, platform, user_id).await? else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM linked_accounts WHERE platform = $1 AND user_id = $2")
            .bind(platform.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // A person of one account is that account.
        let left: Vec<(i64,)> = sqlx::query_as("SELECT 1 FROM linked_accounts WHERE person = $1")
            .bind(&person)
            .fetch_all(&mut *tx)
            .await?;
        if left.len() == 1 {
            sqlx::query("DELETE FROM linked_accounts WHERE person = $1")
                .bind(&person)
                .execute(&mut *tx)
                .await?;
        }
        // The account key is `platform:user`, as `account_key` writes it.
        sqlx::query(
            "UPDATE survey_answers SET voter = platform || ':' || user_id WHERE voter = $1 AND question_id IN
             (SELECT q.id FROM survey_questions q JOIN surveys s ON s.id = q.survey_id WHERE s.state = 'open')",
        )
        .bind(&person)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The other accounts linked with this one.
    pub async fn linked_accounts(&self, platform: Platform, user_id: &str) -> Result<Vec<(Platform, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT b.platform, b.user_id FROM linked_accounts a JOIN linked_accounts b ON b.person = a.person
             WHERE a.platform = $1 AND a.user_id = $2 AND NOT (b.platform = a.platform AND b.user_id = a.user_id)
             ORDER BY b.platform, b.user_id",
        )
        .bind(platform.as_str())
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(p, u)| Platform::parse(&p).map(|p| (p, u)))
            .collect())
    }
}

pub(super) async fn person_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    platform: Platform,
    user_id: &str,
) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT person FROM linked_accounts WHERE platform = $1 AND user_id = $2")
            .bind(platform.as_str())
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(p,)| p))
}

/// Answers under `key` in surveys still open become the person's; where the person has
/// answered the same question under another key too, the later answer stays.
async fn merge_answers(tx: &mut sqlx::Transaction<'_, sqlx::Any>, key: &str, person: &str) -> Result<()> {
    const OPEN: &str =
        "(SELECT q.id FROM survey_questions q JOIN surveys s ON s.id = q.survey_id WHERE s.state = 'open')";
    // The earlier of two answers to one question goes.
    let sql = format!(
        "DELETE FROM survey_answers WHERE voter = $1 AND question_id IN {OPEN} AND EXISTS
           (SELECT 1 FROM survey_answers o WHERE o.question_id = survey_answers.question_id AND o.voter = $2
              AND o.answered_at >= survey_answers.answered_at)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    let sql = format!(
        "DELETE FROM survey_answers WHERE voter = $2 AND question_id IN {OPEN} AND EXISTS
           (SELECT 1 FROM survey_answers o WHERE o.question_id = survey_answers.question_id AND o.voter = $1
              AND o.answered_at > survey_answers.answered_at)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    let sql = format!("UPDATE survey_answers SET voter = $2 WHERE voter = $1 AND question_id IN {OPEN}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// For meetings still to come, a person's accounts keep one answer: the latest.
async fn merge_rsvps(tx: &mut sqlx::Transaction<'_, sqlx::Any>, person: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM rsvps WHERE EXISTS
           (SELECT 1 FROM linked_accounts a WHERE a.person = $1 AND a.platform = rsvps.platform AND a.user_id = rsvps.user_id)
         AND EXISTS (SELECT 1 FROM meeting_occurrences o WHERE o.id = rsvps.occurrence_id AND o.state = 'scheduled')
         AND EXISTS (SELECT 1 FROM rsvps later JOIN linked_accounts b ON b.platform = later.platform AND b.user_id = later.user_id
           WHERE b.person = $1 AND later.occurrence_id = rsvps.occurrence_id
             AND NOT (later.platform = rsvps.platform AND later.user_id = rsvps.user_id)
             AND (later.updated_at > rsvps.updated_at
                  OR (later.updated_at = rsvps.updated_at AND later.platform > rsvps.platform)))",
    )
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
