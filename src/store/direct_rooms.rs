//! Direct rooms: a room the bot shares with one person, where their commands are answered
//! privately. The adapter finds them (a person opens one with the bot); the store keeps
//! them so that they are read and written to like any room, and found again after a
//! restart.

use magnet_chat::Platform;

use super::pillars::{RoomRow, room_from_row};
use super::{Result, Store};

impl Store {
    /// Records a direct room with `user` (or makes a known one active again). A room the
    /// config lists for a pillar or the secretariat is never taken for a direct room.
    pub async fn open_direct_room(&self, platform: Platform, remote_id: &str, user: &str) -> Result<Option<RoomRow>> {
        sqlx::query(
            "INSERT INTO rooms (platform, remote_id, active, direct_with) VALUES ($1, $2, 1, $3)
             ON CONFLICT (platform, remote_id) DO UPDATE SET active = 1, direct_with = excluded.direct_with
             WHERE rooms.pillar_id IS NULL AND rooms.is_secretariat = 0",
        )
        .bind(platform.as_str())
        .bind(remote_id)
        .bind(user)
        .execute(self.pool())
        .await?;
        Ok(self
            .room(platform, remote_id)
            .await?
            .filter(|room| room.direct_with.as_deref() == Some(user)))
    }

    /// Marks a direct room left (the person left it): nothing more is sent there.
    pub async fn close_direct_room(&self, platform: Platform, remote_id: &str) -> Result<()> {
        sqlx::query("UPDATE rooms SET active = 0 WHERE platform = $1 AND remote_id = $2 AND direct_with IS NOT NULL")
            .bind(platform.as_str())
            .bind(remote_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The active direct rooms on a platform, oldest first.
    pub async fn direct_rooms(&self, platform: Platform) -> Result<Vec<RoomRow>> {
        let rows = sqlx::query(
            "SELECT id, platform, remote_id, pillar_id, is_secretariat, active, direct_with FROM rooms
             WHERE platform = $1 AND active = 1 AND direct_with IS NOT NULL ORDER BY id",
        )
        .bind(platform.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(room_from_row).collect()
    }

    /// The person's newest active direct room with the bot on a platform, if any.
    pub async fn direct_room_of(&self, platform: Platform, user: &str) -> Result<Option<RoomRow>> {
        let row = sqlx::query(
            "SELECT id, platform, remote_id, pillar_id, is_secretariat, active, direct_with FROM rooms
             WHERE platform = $1 AND direct_with = $2 AND active = 1 ORDER BY id DESC LIMIT 1",
        )
        .bind(platform.as_str())
        .bind(user)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(room_from_row).transpose()
    }
}
