//! State handed from one parallel task to the next.
//!
//! rayon cuts work into parts whose number depends on the thread count and on stealing; state
//! a part builds up (a loader's interned strings, an alarm's remembered refusals) is worth
//! handing to the part that runs next instead of starting each part afresh. Taking and giving
//! back lock once per part, not per item.

use std::sync::{Mutex, PoisonError};

/// Values waiting for the next part to take them.
pub(crate) struct Pool<T> {
    free: Mutex<Vec<T>>,
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool { free: Mutex::new(Vec::new()) }
    }
}

impl<T> Pool<T> {
    /// A value an earlier part gave back, if any.
    pub(crate) fn take(&self) -> Option<T> {
        self.free.lock().unwrap_or_else(PoisonError::into_inner).pop()
    }

    pub(crate) fn give(&self, value: T) {
        self.free.lock().unwrap_or_else(PoisonError::into_inner).push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_given_back_is_taken_again() {
        let pool = Pool::default();
        assert_eq!(pool.take(), None);
        pool.give(1);
        pool.give(2);
        assert_eq!(pool.take(), Some(2));
        assert_eq!(pool.take(), Some(1));
        assert_eq!(pool.take(), None);
    }
}
