//! The resource graph of attack paths and the searches over it.
//!
//! Nodes are the built-in `Internet` node and assets; each edge carries the index of the
//! `edge` item that declared it (its kind). A search runs one breadth-first traversal from a
//! source over the edges of the kinds it may use, so every target's shortest path from that
//! source comes from the same traversal rather than one search per (source, target) pair.
//!
//! Determinism: edges are stored so that a node's out-edges are visited in ascending (target,
//! kind) order, and the traversal keeps the first parent it finds. Among several shortest
//! paths the one chosen is therefore the same on every run and at any thread count.

use std::collections::VecDeque;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::plan::TypeIdx;

/// A node: the `Internet` (`ty: None`) or row `row` of asset type `ty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    pub ty: Option<TypeIdx>,
    pub row: u32,
}

impl Node {
    pub const INTERNET: Node = Node { ty: None, row: 0 };
}

/// A path: each node from the source on, with the kind of the edge that led to it (`None`
/// for the source).
pub type Hops = Vec<(Node, Option<u16>)>;

/// Which edge kinds a search may use, by edge index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EdgeSet(Vec<bool>);

impl EdgeSet {
    pub fn new(kinds: impl IntoIterator<Item = u16>, edge_count: usize) -> Self {
        let mut set = vec![false; edge_count];
        for k in kinds {
            if let Some(slot) = set.get_mut(k as usize) {
                *slot = true;
            }
        }
        EdgeSet(set)
    }

    fn contains(&self, kind: u16) -> bool {
        self.0.get(kind as usize).copied().unwrap_or(false)
    }
}

/// The graph: node `i` of the petgraph is `nodes[i]`.
#[derive(Debug, Default)]
pub struct ResourceGraph {
    graph: DiGraph<Node, u16, u32>,
    /// Node index by type (`None` first, then asset types by index) and row.
    offsets: Vec<(Option<TypeIdx>, u32)>,
}

impl ResourceGraph {
    /// A graph over `Internet` plus `rows[ty]` nodes of each asset type `ty` listed, with
    /// `edges` as `(from, to, kind)` in any order (duplicates are kept once).
    pub fn new(types: &[(TypeIdx, u32)], mut edges: Vec<(Node, Node, u16)>) -> Self {
        let total: u32 = 1 + types.iter().map(|(_, n)| n).sum::<u32>();
        let mut graph = DiGraph::with_capacity(total as usize, edges.len());
        let mut offsets = vec![(None, 0)];
        graph.add_node(Node::INTERNET);
        for &(ty, rows) in types {
            offsets.push((Some(ty), graph.node_count() as u32));
            for row in 0..rows {
                graph.add_node(Node { ty: Some(ty), row });
            }
        }
        let mut out = ResourceGraph { graph, offsets };
        let mut indexed: Vec<(u32, u32, u16)> = edges
            .drain(..)
            .filter_map(|(a, b, k)| Some((out.index(a)?.index() as u32, out.index(b)?.index() as u32, k)))
            .collect();
        // petgraph visits a node's out-edges newest first: add them in descending order so
        // a traversal sees them ascending.
        indexed.sort_unstable_by(|x, y| y.cmp(x));
        indexed.dedup();
        for (a, b, k) in indexed {
            out.graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), k);
        }
        out
    }

    /// The graph index of a node, if the graph has it.
    fn index(&self, node: Node) -> Option<NodeIndex<u32>> {
        let &(_, start) = self.offsets.iter().find(|(ty, _)| *ty == node.ty)?;
        let i = start.checked_add(node.row)?;
        (self.graph.node_weight(NodeIndex::new(i as usize)) == Some(&node)).then(|| NodeIndex::new(i as usize))
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Every node, in index order (`Internet` first).
    pub fn nodes(&self) -> impl Iterator<Item = Node> + '_ {
        self.graph.node_weights().copied()
    }

    /// Every edge as `(from, to, kind)`, sorted.
    pub fn edges(&self) -> Vec<(Node, Node, u16)> {
        let mut out: Vec<(Node, Node, u16)> = self
            .graph
            .edge_references()
            .map(|e| (self.graph[e.source()], self.graph[e.target()], *e.weight()))
            .collect();
        out.sort_unstable();
        out
    }

    /// One breadth-first traversal from `source` over edges of the kinds in `via`.
    pub fn search(&self, source: Node, via: &EdgeSet) -> Search {
        let n = self.graph.node_count();
        let mut parent: Vec<Option<(u32, u16)>> = vec![None; n];
        let mut seen = vec![false; n];
        let Some(start) = self.index(source) else { return Search { start: None, parent, seen } };
        seen[start.index()] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(at) = queue.pop_front() {
            for edge in self.graph.edges_directed(at, Direction::Outgoing) {
                let next = edge.target();
                if seen[next.index()] || !via.contains(*edge.weight()) {
                    continue;
                }
                seen[next.index()] = true;
                parent[next.index()] = Some((at.index() as u32, *edge.weight()));
                queue.push_back(next);
            }
        }
        Search { start: Some(start.index() as u32), parent, seen }
    }

    /// The shortest path `search` found to `target`: the nodes from the source on, each with
    /// the kind of the edge that led to it (`None` for the source). `None` when `target` is
    /// not reachable; the source alone when it is the target.
    pub fn path(&self, search: &Search, target: Node) -> Option<Hops> {
        let start = search.start?;
        let end = self.index(target)?.index();
        if !search.seen.get(end).copied().unwrap_or(false) {
            return None;
        }
        let mut hops = Vec::new();
        let mut at = end as u32;
        while at != start {
            let (from, kind) = search.parent[at as usize]?;
            hops.push((self.graph[NodeIndex::new(at as usize)], Some(kind)));
            at = from;
        }
        hops.push((self.graph[NodeIndex::new(start as usize)], None));
        hops.reverse();
        Some(hops)
    }
}

/// The result of one traversal: which nodes were reached, and by which edge.
#[derive(Debug)]
pub struct Search {
    start: Option<u32>,
    parent: Vec<Option<(u32, u16)>>,
    seen: Vec<bool>,
}

impl Search {
    /// How many nodes the traversal reached, the source included.
    pub fn reached(&self) -> usize {
        self.seen.iter().filter(|s| **s).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: TypeIdx = 3;
    const ROLE: TypeIdx = 5;
    const BUCKET: TypeIdx = 7;
    const EXPOSES: u16 = 0;
    const ASSUMES: u16 = 1;
    const CONTROLS: u16 = 2;

    fn inst(row: u32) -> Node {
        Node { ty: Some(INSTANCE), row }
    }
    fn role(row: u32) -> Node {
        Node { ty: Some(ROLE), row }
    }
    fn bucket(row: u32) -> Node {
        Node { ty: Some(BUCKET), row }
    }

    fn graph(edges: Vec<(Node, Node, u16)>) -> ResourceGraph {
        ResourceGraph::new(&[(INSTANCE, 4), (ROLE, 3), (BUCKET, 2)], edges)
    }

    fn all() -> EdgeSet {
        EdgeSet::new([EXPOSES, ASSUMES, CONTROLS], 3)
    }

    fn kinds(path: &[(Node, Option<u16>)]) -> Vec<Option<u16>> {
        path.iter().map(|(_, k)| *k).collect()
    }

    #[test]
    fn no_path_when_the_chain_is_broken() {
        let g = graph(vec![(Node::INTERNET, inst(0), EXPOSES), (role(0), bucket(0), CONTROLS)]);
        let s = g.search(Node::INTERNET, &all());
        assert_eq!(g.path(&s, bucket(0)), None);
        assert_eq!(g.path(&s, inst(0)).map(|p| p.len()), Some(2));
    }

    #[test]
    fn the_shortest_of_several_paths_is_chosen() {
        // Internet → i0 → r0 → b0 (3 hops) and Internet → i1 → r1 → r2 → b0 (4 hops).
        let g = graph(vec![
            (Node::INTERNET, inst(1), EXPOSES),
            (inst(1), role(1), ASSUMES),
            (role(1), role(2), ASSUMES),
            (role(2), bucket(0), CONTROLS),
            (Node::INTERNET, inst(0), EXPOSES),
            (inst(0), role(0), ASSUMES),
            (role(0), bucket(0), CONTROLS),
        ]);
        let s = g.search(Node::INTERNET, &all());
        let path = g.path(&s, bucket(0)).expect("well-formed test data");
        assert_eq!(path.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [Node::INTERNET, inst(0), role(0), bucket(0)]);
        assert_eq!(kinds(&path), [None, Some(EXPOSES), Some(ASSUMES), Some(CONTROLS)]);
    }

    #[test]
    fn ties_go_to_the_lower_node_whatever_the_insertion_order() {
        let edges = vec![
            (Node::INTERNET, inst(2), EXPOSES),
            (Node::INTERNET, inst(1), EXPOSES),
            (inst(2), role(0), ASSUMES),
            (inst(1), role(0), ASSUMES),
        ];
        let mut reversed = edges.clone();
        reversed.reverse();
        for edges in [edges, reversed] {
            let g = graph(edges);
            let path = g.path(&g.search(Node::INTERNET, &all()), role(0)).expect("well-formed test data");
            assert_eq!(path[1].0, inst(1));
        }
    }

    #[test]
    fn cycles_terminate() {
        let g = graph(vec![
            (role(0), role(1), ASSUMES),
            (role(1), role(2), ASSUMES),
            (role(2), role(0), ASSUMES),
            (role(2), bucket(1), CONTROLS),
        ]);
        let s = g.search(role(0), &all());
        assert_eq!(s.reached(), 4);
        assert_eq!(g.path(&s, bucket(1)).map(|p| p.len()), Some(4));
        assert_eq!(g.path(&s, role(0)).map(|p| p.len()), Some(1));
    }

    #[test]
    fn only_the_edge_kinds_asked_for_are_followed() {
        let g = graph(vec![(Node::INTERNET, inst(0), EXPOSES), (inst(0), role(0), ASSUMES)]);
        let s = g.search(Node::INTERNET, &EdgeSet::new([EXPOSES], 3));
        assert!(g.path(&s, inst(0)).is_some());
        assert_eq!(g.path(&s, role(0)), None);
    }

    #[test]
    fn unknown_nodes_and_kinds_are_ignored() {
        let g = graph(vec![(inst(0), Node { ty: Some(99), row: 0 }, ASSUMES), (inst(0), inst(9), ASSUMES)]);
        assert_eq!(g.edge_count(), 0);
        let s = g.search(Node { ty: Some(42), row: 0 }, &all());
        assert_eq!(g.path(&s, inst(0)), None);
        assert_eq!(EdgeSet::new([7], 3), EdgeSet::new([], 3));
    }
}
