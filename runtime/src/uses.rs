//! What a check uses, followed through the plan: the functions it calls, the constants it
//! names, the natives it asks, the edges its paths may take and the types it derefs — and,
//! through each function, constant and edge, what those use in turn.
//!
//! Coverage asks it which types a check needs data of; the compiler asks it whose field reads
//! to add to a check's own (`Check::reads`). One walk, so the two cannot disagree about what
//! a check depends on.

use std::collections::BTreeSet;

use crate::plan::{Check, Expr, Measure, Plan, TemplatePart, TypeIdx};

/// Everything a check reaches, transitively. Indices are into the plan's lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// The subject type, the types `deref` leads to and the ends of the edges paths may take.
    pub types: BTreeSet<TypeIdx>,
    pub functions: BTreeSet<u32>,
    pub consts: BTreeSet<u32>,
    /// Indices into [`Plan::edges`].
    pub edges: BTreeSet<usize>,
    /// Qualified names of the `native fn`s called (`std.net.sg_allows`).
    pub natives: BTreeSet<String>,
}

impl Uses {
    /// What `check` uses, through every expression it has: `where`, `let`s, `when`, message,
    /// fix, evidence, `group by` and the threshold's measure.
    pub fn of_check(plan: &Plan, check: &Check) -> Uses {
        let mut walk = Walk { plan, uses: Uses { types: BTreeSet::from([check.subject_type]), ..Uses::default() } };
        for expr in check_exprs(check) {
            walk.expr(expr);
        }
        walk.uses
    }
}

/// Every expression of a check, in no particular order.
fn check_exprs(check: &Check) -> impl Iterator<Item = &Expr> {
    let message = check.message.iter().chain(&check.fix_template).flatten().filter_map(|part| match part {
        TemplatePart::Hole(expr) => Some(expr),
        TemplatePart::Text(_) => None,
    });
    let grouping = check.group.iter().flat_map(|group| {
        let measure = match &group.threshold.measure {
            Measure::Distinct(expr) => Some(expr),
            Measure::Count => None,
        };
        std::iter::once(&group.key).chain(measure)
    });
    check
        .filter
        .iter()
        .chain(&check.lets)
        .chain(&check.when)
        .chain(check.evidence.iter().map(|(_, e)| e))
        .chain(message)
        .chain(grouping)
}

struct Walk<'p> {
    plan: &'p Plan,
    uses: Uses,
}

impl Walk<'_> {
    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Literal(_) | Expr::Local(_) | Expr::Now => {}
            Expr::Const(index) => {
                if self.uses.consts.insert(*index)
                    && let Some(constant) = self.plan.consts.get(*index as usize)
                {
                    self.expr(&constant.value);
                }
            }
            Expr::List(items) => items.iter().for_each(|item| self.expr(item)),
            Expr::Record(entries) => entries.iter().for_each(|(_, item)| self.expr(item)),
            Expr::Field { base, .. } => self.expr(base),
            Expr::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            Expr::Call { function, args } => {
                args.iter().for_each(|arg| self.expr(arg));
                if self.uses.functions.insert(*function)
                    && let Some(body) = self.plan.functions.get(*function as usize).map(|f| &f.body)
                {
                    self.expr(body);
                }
            }
            Expr::Native { name, args } => {
                self.uses.natives.insert(name.clone());
                args.iter().for_each(|arg| self.expr(arg));
            }
            Expr::Method { receiver, args, .. } => {
                self.expr(receiver);
                args.iter().for_each(|arg| self.expr(arg));
            }
            Expr::Deref { reference, types } => {
                self.expr(reference);
                self.uses.types.extend(types);
            }
            Expr::Path { from, to, via, .. } => {
                from.iter().for_each(|from| self.expr(from));
                self.expr(to);
                // An empty `via` lets the search take every edge.
                for (index, edge) in self.plan.edges.iter().enumerate() {
                    if (via.is_empty() || via.contains(&edge.name)) && self.uses.edges.insert(index) {
                        self.uses.types.extend(edge.from);
                        self.uses.types.insert(edge.to);
                        if let Some(condition) = &edge.condition {
                            self.expr(condition);
                        }
                    }
                }
            }
            Expr::Lambda { body, .. } => self.expr(body),
            Expr::Unary { operand, .. } => self.expr(operand),
            Expr::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::If { cond, then, otherwise } => {
                self.expr(cond);
                self.expr(then);
                self.expr(otherwise);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Edge, Function, Grouping, Literal, Threshold, test_check, test_plan};

    fn call(function: u32) -> Expr {
        Expr::Call { function, args: vec![] }
    }

    fn native(name: &str) -> Expr {
        Expr::Native { name: name.into(), args: vec![] }
    }

    #[test]
    fn follows_functions_edges_and_the_threshold_measure() {
        let mut plan = test_plan(vec![]);
        plan.functions = vec![
            Function { name: "p.outer".into(), params: 0, locals: 0, body: call(1) },
            Function { name: "p.inner".into(), params: 0, locals: 0, body: native("std.net.exposed_ports") },
        ];
        plan.edges = vec![
            Edge {
                name: "p.taken".into(),
                from: None,
                to: 3,
                condition: Some(native("std.net.is_private")),
                locals: 2,
            },
            Edge { name: "p.not_taken".into(), from: Some(4), to: 5, condition: Some(call(0)), locals: 2 },
        ];
        let mut check = test_check("C", &[]);
        check.when =
            Some(Expr::Path { from: None, to: Box::new(Expr::Local(0)), via: vec!["p.taken".into()], reaches: true });
        check.group = Some(Grouping {
            key: Expr::Literal(Literal::None),
            window_seconds: None,
            threshold: Threshold { measure: Measure::Distinct(call(0)), at_least: 2 },
        });
        let uses = Uses::of_check(&plan, &check);
        assert_eq!(uses.functions, BTreeSet::from([0, 1]), "the measure's call, and the call inside it");
        assert_eq!(uses.edges, BTreeSet::from([0]), "only the edge `via` names");
        assert_eq!(uses.types, BTreeSet::from([0, 3]));
        assert_eq!(uses.natives, BTreeSet::from(["std.net.exposed_ports".to_owned(), "std.net.is_private".to_owned()]));
    }

    #[test]
    fn a_path_without_via_may_take_every_edge() {
        let mut plan = test_plan(vec![]);
        plan.edges =
            ["p.a", "p.b"].map(|name| Edge { name: name.into(), from: None, to: 1, condition: None, locals: 2 }).into();
        let mut check = test_check("C", &[]);
        check.filter = Some(Expr::Path { from: None, to: Box::new(Expr::Local(0)), via: vec![], reaches: true });
        assert_eq!(Uses::of_check(&plan, &check).edges, BTreeSet::from([0, 1]));
    }
}
