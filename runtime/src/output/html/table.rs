//! Tables of the report page: every row in the HTML (so they show, print and copy with
//! JavaScript off), with sort keys the page's script sorts by, up to a cap per table.

use maud::{Markup, html};

/// Rows kept in one table; the rest are counted, and are in `--format json`.
pub(super) const MAX_ROWS: usize = 10_000;

pub(super) struct Table {
    id: &'static str,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    total: usize,
}

struct Column {
    title: &'static str,
    numeric: bool,
}

/// One cell: what it shows, and the value it sorts by when that is not its text.
pub(super) struct Cell {
    content: Markup,
    sort: Option<String>,
}

impl Cell {
    pub(super) fn text(text: impl AsRef<str>) -> Cell {
        Cell { content: html! { (text.as_ref()) }, sort: None }
    }

    pub(super) fn markup(content: Markup) -> Cell {
        Cell { content, sort: None }
    }

    pub(super) fn number(n: impl Into<i128> + Copy + std::fmt::Display) -> Cell {
        Cell { content: html! { (n.to_string()) }, sort: Some(n.into().to_string()) }
    }

    /// Sorted by `key` rather than by its text (severity by rank, times by instant).
    pub(super) fn sorted_by(mut self, key: impl ToString) -> Cell {
        self.sort = Some(key.to_string());
        self
    }

    pub(super) fn optional(text: Option<impl AsRef<str>>) -> Cell {
        match text {
            Some(t) => Cell::text(t),
            None => Cell::markup(html! { span.none { "—" } }),
        }
    }
}

impl Table {
    /// A table whose columns are `(title, numeric)`; numeric columns sort as numbers.
    pub(super) fn new(id: &'static str, columns: &[(&'static str, bool)]) -> Table {
        Table {
            id,
            columns: columns.iter().map(|(title, numeric)| Column { title, numeric: *numeric }).collect(),
            rows: Vec::new(),
            total: 0,
        }
    }

    pub(super) fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.total += 1;
        if self.rows.len() < MAX_ROWS {
            self.rows.push(row);
        }
    }

    pub(super) fn render(&self, empty: &str) -> Markup {
        if self.rows.is_empty() {
            return html! { p.empty { (empty) } };
        }
        html! {
            div.table data-table=(self.id) {
                div.controls {
                    input.filter type="search" placeholder="Filter rows" aria-label="Filter rows" hidden;
                    span.count { (self.total) " rows" }
                }
                div.scroll {
                    table id=(self.id) {
                        thead { tr {
                            @for c in &self.columns {
                                th scope="col" data-type=(if c.numeric { "num" } else { "text" }) { (c.title) }
                            }
                        } }
                        tbody {
                            @for row in &self.rows {
                                tr { @for cell in row {
                                    @match &cell.sort {
                                        Some(key) => td data-sort=(key) { (cell.content) },
                                        None => td { (cell.content) },
                                    }
                                } }
                            }
                        }
                    }
                }
                div.pager hidden {}
                @if self.total > self.rows.len() {
                    p.more { (self.total - self.rows.len()) " more rows are not shown; `rulec report --format json` has all of them." }
                }
            }
        }
    }
}
