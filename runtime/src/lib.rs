//! rulec runtime
