//! ActionTrail events.

use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Event;

/// One ActionTrail record as a snapshot event.
pub(crate) fn record(_out: &mut Estate, _node: &Node<'_>, _account: &str) -> Result<Option<Event>, FieldError> {
    Ok(None)
}
