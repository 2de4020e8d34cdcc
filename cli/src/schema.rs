//! `rulec schema`: the snapshot schema for people who write their own producers.

#[derive(clap::Args, Debug)]
pub(crate) struct SchemaArgs {}

pub(crate) fn run(_args: &SchemaArgs) -> u8 {
    super::fail("`rulec schema` is not available yet", None)
}
