//! The bridge: what happens to an event seen in one of a pillar's rooms.
//!
//! So far this is the inbound half: [`StoreSink`] commits each event exactly once with the
//! room's new position. Routing to the pillar's other rooms and the delivery workers
//! build on it.

mod inbound;

pub use inbound::StoreSink;
