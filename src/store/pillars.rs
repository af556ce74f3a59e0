//! Pillars and their rooms, kept in step with the config: the config says what exists, the
//! database keeps ids that other rows point at, so a room dropped from the config is marked
//! inactive rather than deleted.

use magnet_chat::Platform;
use sqlx::Row;

use super::{Result, Store, StoreError, now_ms};
use crate::config::{Config, Pillar};

/// A pillar as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PillarRow {
    pub id: String,
    pub name: String,
    pub language: String,
    pub timezone: String,
    pub active: bool,
}

impl PillarRow {
    /// The language of the bot's messages in the pillar's rooms.
    pub fn lang(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::from_tag(&self.language).unwrap_or_default()
    }
}

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRow {
    pub id: i64,
    pub platform: Platform,
    pub remote_id: String,
    pub pillar_id: Option<String>,
    pub is_secretariat: bool,
    pub active: bool,
    /// For a direct room: the one person the bot shares it with.
    pub direct_with: Option<String>,
}

impl Store {
    /// Makes the stored pillars and rooms match the config, in one transaction. A room
    /// that joins a pillar gets the reminders of the pillar's meetings still to come.
    pub async fn sync_config(&self, config: &Config) -> Result<()> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let before: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, pillar_id FROM rooms WHERE active = 1 AND pillar_id IS NOT NULL")
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query("UPDATE pillars SET active = 0").execute(&mut *tx).await?;
        sqlx::query("UPDATE rooms SET active = 0, pillar_id = NULL, is_secretariat = 0 WHERE direct_with IS NULL")
            .execute(&mut *tx)
            .await?;
        for pillar in &config.pillars {
            sqlx::query(
                "INSERT INTO pillars (id, name, language, timezone, active, updated_at) VALUES ($1, $2, $3, $4, 1, $5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, language = excluded.language,
                     timezone = excluded.timezone, active = 1, updated_at = excluded.updated_at",
            )
            .bind(&pillar.id)
            .bind(&pillar.name)
            .bind(&pillar.language)
            .bind(pillar.timezone.name())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for (platform, remote_id) in rooms_of(pillar) {
                sqlx::query(
                    "INSERT INTO rooms (platform, remote_id, pillar_id, active) VALUES ($1, $2, $3, 1)
                     ON CONFLICT (platform, remote_id) DO UPDATE SET pillar_id = excluded.pillar_id, active = 1, direct_with = NULL",
                )
                .bind(platform.as_str())
                .bind(&remote_id)
                .bind(&pillar.id)
                .execute(&mut *tx)
                .await?;
            }
        }
        let secretariat = &config.secretariat;
        let secretariat_rooms = secretariat
            .matrix_rooms
            .iter()
            .map(|room| (Platform::Matrix, room.clone()))
            .chain(
                secretariat
                    .discord_channels
                    .iter()
                    .map(|id| (Platform::Discord, id.to_string())),
            );
        for (platform, remote_id) in secretariat_rooms {
            sqlx::query(
                "INSERT INTO rooms (platform, remote_id, is_secretariat, active) VALUES ($1, $2, 1, 1)
                 ON CONFLICT (platform, remote_id) DO UPDATE SET is_secretariat = 1, active = 1, direct_with = NULL",
            )
            .bind(platform.as_str())
            .bind(&remote_id)
            .execute(&mut *tx)
            .await?;
        }
        let after: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, pillar_id FROM rooms WHERE active = 1 AND pillar_id IS NOT NULL")
                .fetch_all(&mut *tx)
                .await?;
        for (room, pillar) in after.iter().filter(|room| !before.contains(room)) {
            if let Some(pillar) = pillar {
                super::schedule::remind_new_room(&mut tx, *room, pillar, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// All pillars ever configured, active ones first, by id.
    pub async fn pillars(&self) -> Result<Vec<PillarRow>> {
        let rows = sqlx::query("SELECT id, name, language, timezone, active FROM pillars ORDER BY active DESC, id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(PillarRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    language: row.try_get("language")?,
                    timezone: row.try_get("timezone")?,
                    active: row.try_get::<i64, _>("active")? != 0,
                })
            })
            .collect()
    }

    /// A room by its platform id, if the bot serves it.
    pub async fn room(&self, platform: Platform, remote_id: &str) -> Result<Option<RoomRow>> {
        let row = sqlx::query(
            "SELECT id, platform, remote_id, pillar_id, is_secretariat, active, direct_with FROM rooms WHERE platform = $1 AND remote_id = $2",
        )
        .bind(platform.as_str())
        .bind(remote_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(room_from_row).transpose()
    }

    /// Every active room on a platform: where delivery workers run.
    pub async fn active_rooms(&self, platform: Platform) -> Result<Vec<RoomRow>> {
        let rows = sqlx::query(
            "SELECT id, platform, remote_id, pillar_id, is_secretariat, active, direct_with FROM rooms
             WHERE platform = $1 AND active = 1 ORDER BY id",
        )
        .bind(platform.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(room_from_row).collect()
    }

    /// The secretariat's rooms, Matrix first: where the bot tells the secretariat what needs
    /// its attention (drafts, reports: never in a room that is also a pillar's).
    pub async fn secretariat_rooms(&self) -> Result<Vec<RoomRow>> {
        let rows = sqlx::query(
            "SELECT id, platform, remote_id, pillar_id, is_secretariat, active, direct_with FROM rooms
             WHERE is_secretariat = 1 AND active = 1 AND pillar_id IS NULL ORDER BY platform DESC, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(room_from_row).collect()
    }

    /// The active rooms of a pillar, Matrix first, in a stable order.
    pub async fn pillar_rooms(&self, pillar_id: &str) -> Result<Vec<RoomRow>> {
        let rows = sqlx::query(
            "SELECT id, platform, remote_id, pillar_id, is_secretariat, active, direct_with FROM rooms
             WHERE pillar_id = $1 AND active = 1 ORDER BY platform DESC, id",
        )
        .bind(pillar_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(room_from_row).collect()
    }
}

fn rooms_of(pillar: &Pillar) -> impl Iterator<Item = (Platform, String)> + '_ {
    pillar
        .matrix_rooms
        .iter()
        .map(|room| (Platform::Matrix, room.clone()))
        .chain(
            pillar
                .discord_channels
                .iter()
                .map(|id| (Platform::Discord, id.to_string())),
        )
}

pub(super) fn room_from_row(row: &sqlx::any::AnyRow) -> Result<RoomRow> {
    let platform: String = row.try_get("platform")?;
    Ok(RoomRow {
        id: row.try_get("id")?,
        platform: Platform::parse(&platform)
            .ok_or_else(|| StoreError::Invalid(format!("unknown platform `{platform}` in rooms")))?,
        remote_id: row.try_get("remote_id")?,
        pillar_id: row.try_get("pillar_id")?,
        is_secretariat: row.try_get::<i64, _>("is_secretariat")? != 0,
        active: row.try_get::<i64, _>("active")? != 0,
        direct_with: row.try_get("direct_with")?,
    })
}
