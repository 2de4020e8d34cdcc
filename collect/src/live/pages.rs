//! Asking for every page. Prowler pages only ECS, so large accounts lose users and buckets
//! without a word; here each call pages as its table row says until the answer says it is the
//! last page: fewer items than asked for, a total reached, no next token, `IsTruncated` false
//! or CloudAudit's `ListOver`. A token seen twice, or a page cap reached, is reported.

use serde_json::Value;

use crate::calls::Paging;

/// More pages than any account has: past this the cloud is looping.
const MAX_PAGES: u32 = 10_000;

/// Where one call's paging stands.
pub(crate) struct Cursor {
    paging: Paging,
    list: Vec<&'static str>,
    /// The page to ask for next, from 1; `None` once the last page was read.
    next: Option<u32>,
    token: Option<String>,
    tokens: std::collections::HashSet<String>,
    seen: usize,
    problem: Option<String>,
}

impl Cursor {
    pub(crate) fn new(paging: Paging, list: Vec<&'static str>) -> Cursor {
        Cursor { paging, list, next: Some(1), token: None, tokens: Default::default(), seen: 0, problem: None }
    }

    /// The page number being fetched (1 for the first).
    pub(crate) fn page(&self) -> u32 {
        self.next.unwrap_or(1)
    }

    /// The paging parameters of the next page, or `None` when every page was read.
    pub(crate) fn next_params(&self) -> Option<Vec<(String, String)>> {
        let page = self.next?;
        Some(match self.paging {
            Paging::None => Vec::new(),
            // From the items received, not the page number: a server may cap pages below the
            // documented size, and an offset past what it sent would skip items.
            Paging::Offset { offset, limit, max } => {
                vec![(offset.to_owned(), self.seen.to_string()), (limit.to_owned(), max.to_string())]
            }
            Paging::PageNumber { number, size, max } => {
                vec![(number.to_owned(), page.to_string()), (size.to_owned(), max.to_string())]
            }
            Paging::Token { request, .. } => match &self.token {
                Some(token) => vec![(request.to_owned(), token.clone())],
                None => Vec::new(),
            },
        })
    }

    /// Reads a page's answer: whether another page follows.
    pub(crate) fn advance(&mut self, answer: &Value) {
        let Some(page) = self.next else { return };
        let count = count(answer, &self.list);
        self.seen += count;
        let more = match self.paging {
            Paging::None => false,
            Paging::Offset { max, .. } | Paging::PageNumber { max, .. } => match total(answer) {
                Some(total) => count > 0 && self.seen < total,
                None => count >= max as usize,
            },
            Paging::Token { response, .. } => {
                let token = field(answer, response).and_then(|value| match value {
                    Value::String(token) if !token.is_empty() => Some(token.clone()),
                    Value::Number(token) => Some(token.to_string()),
                    _ => None,
                });
                let finished = flag(answer, "IsTruncated") == Some(false) || flag(answer, "ListOver") == Some(true);
                match token {
                    Some(token) if !finished => {
                        if !self.tokens.insert(token.clone()) {
                            self.problem =
                                Some(format!("the cloud returned the {response} `{token}` twice; paging stopped"));
                            false
                        } else {
                            self.token = Some(token);
                            true
                        }
                    }
                    _ => false,
                }
            }
        };
        self.next = match more {
            true if page >= MAX_PAGES => {
                self.problem = Some(format!("more than {MAX_PAGES} pages; paging stopped"));
                None
            }
            true => Some(page + 1),
            false => None,
        };
    }

    /// Why paging stopped before the cloud said it was done.
    pub(crate) fn problem(&self) -> Option<String> {
        self.problem.clone()
    }
}

/// The items under `list` in an answer (XML roots included: `ListAllMyBucketsResult.Buckets...`).
/// A key ending in `[]` goes through every element of that list, so the items may sit in a list
/// nested in each item of another (`NatGateways.NatGateway[].ForwardTableIds.ForwardTableId`:
/// every DNAT table of every gateway).
pub(crate) fn items<'a>(answer: &'a Value, list: &[&str]) -> Vec<&'a Value> {
    let mut nodes = vec![answer];
    for key in list {
        let (key, each) = match key.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (*key, false),
        };
        nodes = nodes
            .into_iter()
            .filter_map(|value| value.get(key))
            .flat_map(|value| if each { spread(value) } else { vec![value] })
            .collect();
    }
    nodes.into_iter().flat_map(spread).collect()
}

/// The elements of a list; XML lists of one item read as the item itself.
fn spread(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        item => vec![item],
    }
}

fn count(answer: &Value, list: &[&str]) -> usize {
    items(answer, list).len()
}

/// The total the answer reports, under any of the names the APIs use (ACK's ROA answers:
/// `page_info.total_count`; Elasticsearch's: `Headers.X-Total-Count`).
fn total(answer: &Value) -> Option<usize> {
    let number = |value: &Value| match value {
        Value::Number(number) => number.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(text) => text.parse().ok(),
        _ => None,
    };
    ["TotalCount", "TotalNum", "TotalRecordCount", "Total", "total"]
        .iter()
        .find_map(|key| number(answer.get(*key)?))
        .or_else(|| number(answer.get("page_info")?.get("total_count")?))
        .or_else(|| number(answer.get("Headers")?.get("X-Total-Count")?))
}

/// A field at the top of the answer, or under its XML root element.
fn field<'a>(answer: &'a Value, name: &str) -> Option<&'a Value> {
    answer.get(name).or_else(|| match answer {
        Value::Object(map) if map.len() == 1 => map.values().next()?.get(name),
        _ => None,
    })
}

/// A boolean field, also as XML's `"true"`/`"false"` text.
fn flag(answer: &Value, name: &str) -> Option<bool> {
    match field(answer, name)? {
        Value::Bool(flag) => Some(*flag),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn params(cursor: &Cursor) -> Vec<(String, String)> {
        cursor.next_params().unwrap()
    }

    #[test]
    fn offset_pages_run_until_the_total() {
        let mut cursor = Cursor::new(Paging::Offset { offset: "Offset", limit: "Limit", max: 2 }, vec!["InstanceSet"]);
        assert_eq!(params(&cursor), [("Offset".into(), "0".into()), ("Limit".into(), "2".into())]);
        cursor.advance(&json!({"TotalCount": 3, "InstanceSet": [1, 2]}));
        assert_eq!(params(&cursor), [("Offset".into(), "2".into()), ("Limit".into(), "2".into())]);
        cursor.advance(&json!({"TotalCount": 3, "InstanceSet": [3]}));
        assert!(cursor.next_params().is_none());
    }

    #[test]
    fn offsets_follow_the_items_received_when_a_server_caps_its_pages() {
        let mut cursor =
            Cursor::new(Paging::Offset { offset: "Offset", limit: "Limit", max: 100 }, vec!["InstanceSet"]);
        cursor.advance(&json!({"TotalCount": 7, "InstanceSet": [1, 2, 3, 4, 5]}));
        assert_eq!(params(&cursor), [("Offset".into(), "5".into()), ("Limit".into(), "100".into())]);
    }

    #[test]
    fn without_a_total_a_full_page_asks_for_the_next() {
        let mut cursor = Cursor::new(Paging::PageNumber { number: "Page", size: "Rp", max: 2 }, vec!["Data"]);
        cursor.advance(&json!({"Data": [1, 2]}));
        assert_eq!(cursor.page(), 2);
        cursor.advance(&json!({"Data": []}));
        assert!(cursor.next_params().is_none());
    }

    #[test]
    fn ack_pages_end_at_page_info_total_count() {
        let mut cursor =
            Cursor::new(Paging::PageNumber { number: "page_number", size: "page_size", max: 2 }, vec!["clusters"]);
        cursor.advance(&json!({"clusters": [1, 2], "page_info": {"page_number": 1, "page_size": 2, "total_count": 3}}));
        assert_eq!(params(&cursor), [("page_number".into(), "2".into()), ("page_size".into(), "2".into())]);
        cursor.advance(&json!({"clusters": [3], "page_info": {"page_number": 2, "page_size": 2, "total_count": 3}}));
        assert!(cursor.next_params().is_none());
        // A full last page: the total ends it without asking for an empty one.
        let mut cursor =
            Cursor::new(Paging::PageNumber { number: "page_number", size: "page_size", max: 2 }, vec!["clusters"]);
        cursor.advance(&json!({"clusters": [1, 2], "page_info": {"total_count": 2}}));
        assert!(cursor.next_params().is_none());
    }

    #[test]
    fn elasticsearch_pages_end_at_the_header_total() {
        let mut cursor = Cursor::new(Paging::PageNumber { number: "page", size: "size", max: 2 }, vec!["Result"]);
        cursor.advance(&json!({"Result": [1, 2], "Headers": {"X-Total-Count": 2}, "RequestId": "r"}));
        assert!(cursor.next_params().is_none());
    }

    #[test]
    fn tokens_and_truncation_flags() {
        let mut cursor = Cursor::new(Paging::Token { request: "Marker", response: "Marker" }, vec!["Users", "User"]);
        cursor.advance(&json!({"IsTruncated": true, "Marker": "m1", "Users": {"User": [1]}}));
        assert_eq!(params(&cursor), [("Marker".into(), "m1".into())]);
        cursor.advance(&json!({"IsTruncated": false, "Marker": "m2", "Users": {"User": [2]}}));
        assert!(cursor.next_params().is_none());
        let mut cursor = Cursor::new(Paging::Token { request: "NextToken", response: "NextToken" }, Vec::new());
        cursor.advance(&json!({"NextToken": "t", "ListOver": true}));
        assert!(cursor.next_params().is_none(), "CloudAudit's ListOver ends the events");
        let mut cursor = Cursor::new(Paging::Token { request: "marker", response: "NextMarker" }, Vec::new());
        cursor.advance(&json!({"ListAllMyBucketsResult": {"IsTruncated": "true", "NextMarker": "b2"}}));
        assert_eq!(params(&cursor), [("marker".into(), "b2".into())]);
    }

    #[test]
    fn a_repeated_token_stops_and_is_reported() {
        let mut cursor = Cursor::new(Paging::Token { request: "NextToken", response: "NextToken" }, Vec::new());
        cursor.advance(&json!({"NextToken": "same"}));
        cursor.advance(&json!({"NextToken": "same"}));
        assert!(cursor.next_params().is_none());
        assert!(cursor.problem().unwrap().contains("twice"));
    }

    #[test]
    fn items_in_a_list_nested_in_each_item() {
        let answer = json!({"NatGateways": {"NatGateway": [
            {"NatGatewayId": "ngw-1", "ForwardTableIds": {"ForwardTableId": ["ftb-1", "ftb-2"]}},
            {"NatGatewayId": "ngw-2", "ForwardTableIds": {"ForwardTableId": []}},
            {"NatGatewayId": "ngw-3"},
            {"NatGatewayId": "ngw-4", "ForwardTableIds": {"ForwardTableId": "ftb-4"}}
        ]}});
        let list = ["NatGateways", "NatGateway[]", "ForwardTableIds", "ForwardTableId"];
        assert_eq!(items(&answer, &list), [&json!("ftb-1"), &json!("ftb-2"), &json!("ftb-4")]);
        assert_eq!(items(&answer, &["NatGateways", "NatGateway"]).len(), 4);
    }

    #[test]
    fn single_xml_items_count_as_one() {
        let answer = json!({"ListAllMyBucketsResult": {"Buckets": {"Bucket": {"Name": "b"}}}});
        assert_eq!(items(&answer, &["ListAllMyBucketsResult", "Buckets", "Bucket"]).len(), 1);
    }
}
