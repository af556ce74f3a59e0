//! Test support for magnet's end-to-end tests: the real servers that `scripts/test`
//! starts (Synapse, PostgreSQL), and the `magnet` binary as a child process.
//!
//! The servers' addresses come from environment variables set by `scripts/test`. A test
//! that needs a server and does not find it fails with a message saying how to run it;
//! it never passes silently.

pub mod env;
pub mod nio;
pub mod postgres;
pub mod process;
pub mod sink;
pub mod synapse;
pub mod synapse_server;
pub mod wait;

pub use nio::NioUser;
pub use process::MagnetProcess;
pub use sink::RecordingSink;
pub use synapse::{MatrixUser, Synapse};
pub use synapse_server::SynapseServer;
