//! Drawings of the report page, as inline SVG: attack paths laid out by `layout-rs` (a
//! layered graph layout) and drawn by our own backend, so the page controls the ids,
//! classes and colours; and the trend chart.

use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;
use maud::{Markup, html};

use crate::history::Trends;
use crate::views::PathGraph;

const FONT: usize = 13;
const MARGIN: f64 = 8.0;

/// One path finding drawn left to right: a box per hop (named `Type id` and its name), an
/// arrow per edge with the label saying why it holds, the finding's target highlighted.
/// `n` makes the drawing's element ids unique on the page.
pub(super) fn path(graph: &PathGraph, n: usize) -> Markup {
    let mut visual = VisualGraph::new(Orientation::LeftToRight);
    let handles: Vec<_> = graph
        .nodes
        .iter()
        .map(|node| {
            let label = match (&node.name, node.ty.as_str()) {
                (_, "Internet") => "Internet".to_owned(),
                (Some(name), _) if name != &node.id => format!("{} {}\n{}", node.ty, node.id, name),
                _ => format!("{} {}", node.ty, node.id),
            };
            let shape = ShapeKind::new_box(&label);
            let mut look = StyleAttr::simple();
            look.font_size = FONT;
            look.rounded = 6;
            let size = get_shape_size(Orientation::LeftToRight, &shape, FONT, false);
            let class = match (node.target, node.ty.as_str()) {
                (true, _) => "node target",
                (_, "Internet") => "node internet",
                _ => "node",
            };
            visual.add_node(Element::create_with_properties(shape, look, Orientation::LeftToRight, size, class))
        })
        .collect();
    for edge in &graph.edges {
        let mut arrow = Arrow::simple(&edge.label);
        arrow.look.font_size = FONT;
        visual.add_edge(arrow, handles[edge.from], handles[edge.to]);
    }
    let mut canvas = Canvas::default();
    visual.do_it(false, false, false, &mut canvas);
    canvas.finish(n, &format!("{}: {}", graph.title, graph.message))
}

/// What the layout drew, in drawing order.
#[derive(Default)]
struct Canvas {
    shapes: Vec<Shape>,
    width: f64,
    height: f64,
}

enum Shape {
    Rect { x: f64, y: f64, w: f64, h: f64, rx: usize, class: String },
    Ellipse { cx: f64, cy: f64, rx: f64, ry: f64 },
    Text { x: f64, y: f64, lines: Vec<String> },
    Line { x1: f64, y1: f64, x2: f64, y2: f64 },
    Arrow { d: String, label: String },
}

impl Canvas {
    fn grow(&mut self, p: Point) {
        self.width = self.width.max(p.x + MARGIN);
        self.height = self.height.max(p.y + MARGIN);
    }

    fn finish(self, n: usize, title: &str) -> Markup {
        let marker = format!("arrow-{n}");
        let marker_ref = format!("url(#{marker})");
        html! {
            svg.path xmlns="http://www.w3.org/2000/svg" role="img"
                width=(fmt(self.width)) height=(fmt(self.height))
                viewBox=(format!("0 0 {} {}", fmt(self.width), fmt(self.height))) {
                title { (title) }
                defs {
                    marker id=(marker) markerWidth="10" markerHeight="7" refX="10" refY="3.5" orient="auto" {
                        polygon points="0 0, 10 3.5, 0 7" {}
                    }
                }
                @for shape in &self.shapes {
                    @match shape {
                        Shape::Rect { x, y, w, h, rx, class } => rect class=(class) x=(fmt(*x)) y=(fmt(*y))
                            width=(fmt(*w)) height=(fmt(*h)) rx=(rx) {},
                        Shape::Ellipse { cx, cy, rx, ry } => ellipse cx=(fmt(*cx)) cy=(fmt(*cy)) rx=(fmt(*rx)) ry=(fmt(*ry)) {},
                        Shape::Text { x, y, lines } => text x=(fmt(*x)) y=(fmt(*y)) text-anchor="middle" {
                            @for (i, line) in lines.iter().enumerate() {
                                tspan x=(fmt(*x)) dy=(if i == 0 { "0" } else { "1.2em" }) { (line) }
                            }
                        },
                        Shape::Line { x1, y1, x2, y2 } => line x1=(fmt(*x1)) y1=(fmt(*y1)) x2=(fmt(*x2)) y2=(fmt(*y2)) {},
                        Shape::Arrow { d, label } => g.edge {
                            path d=(d) marker-end=(marker_ref) {}
                            @if !label.is_empty() { title { (label) } }
                        },
                    }
                }
            }
        }
    }
}

/// Coordinates with one decimal: stable bytes, and enough for a drawing.
fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() { format!("{r:.0}") } else { format!("{r:.1}") }
}

impl RenderBackend for Canvas {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
        _: Option<ClipHandle>,
    ) {
        self.grow(Point::new(xy.x + size.x, xy.y + size.y));
        let class = properties.unwrap_or_else(|| "box".to_owned());
        self.shapes.push(Shape::Rect { x: xy.x, y: xy.y, w: size.x, h: size.y, rx: look.rounded, class });
    }

    fn draw_line(&mut self, start: Point, stop: Point, _: &StyleAttr, _: Option<String>) {
        self.grow(start);
        self.grow(stop);
        self.shapes.push(Shape::Line { x1: start.x, y1: start.y, x2: stop.x, y2: stop.y });
    }

    fn draw_circle(&mut self, xy: Point, size: Point, _: &StyleAttr, _: Option<String>) {
        self.grow(Point::new(xy.x + size.x / 2.0, xy.y + size.y / 2.0));
        self.shapes.push(Shape::Ellipse { cx: xy.x, cy: xy.y, rx: size.x / 2.0, ry: size.y / 2.0 });
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        // Centred on `xy`: the first baseline half the block's height above it.
        let height = (lines.len() as f64) * 1.2 * look.font_size as f64;
        let y = xy.y - height / 2.0 + look.font_size as f64;
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
        self.grow(Point::new(xy.x + widest * look.font_size as f64 * 0.3, y + height));
        self.shapes.push(Shape::Text { x: xy.x, y, lines });
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        _head: (bool, bool),
        _look: &StyleAttr,
        _properties: Option<String>,
        text: &str,
    ) {
        if path.len() < 2 {
            return;
        }
        for (p, c) in path {
            self.grow(*p);
            self.grow(*c);
        }
        // A cubic Bézier through the layout's points: (point, control) pairs, the first an
        // exit vector and the rest entry vectors, continued smoothly.
        let mut d = format!(
            "M {} {} C {} {}, {} {}, {} {}",
            fmt(path[0].0.x),
            fmt(path[0].0.y),
            fmt(path[0].1.x),
            fmt(path[0].1.y),
            fmt(path[1].0.x),
            fmt(path[1].0.y),
            fmt(path[1].1.x),
            fmt(path[1].1.y)
        );
        for (p, c) in &path[2..] {
            d.push_str(&format!(" S {} {}, {} {}", fmt(p.x), fmt(p.y), fmt(c.x), fmt(c.y)));
        }
        self.shapes.push(Shape::Arrow { d, label: text.to_owned() });
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

/// Per day: stacked bars of new (above) and resolved (below the axis) findings, and the
/// open count as a line; a table beside it carries the same numbers.
pub(super) fn trends(trends: &Trends) -> Markup {
    const BAR: f64 = 22.0;
    const GAP: f64 = 10.0;
    const HALF: f64 = 80.0;
    let days = &trends.days;
    let total = |m: &std::collections::BTreeMap<String, usize>| m.values().sum::<usize>() as f64;
    let peak = days.iter().map(|d| total(&d.new).max(total(&d.resolved)).max(total(&d.open))).fold(1.0, f64::max);
    let scale = HALF / peak;
    let width = 40.0 + days.len() as f64 * (BAR + GAP);
    let height = 2.0 * HALF + 40.0;
    let axis = HALF + 10.0;
    let x = |i: usize| 40.0 + i as f64 * (BAR + GAP);
    let open_points: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{},{}", fmt(x(i) + BAR / 2.0), fmt(axis - total(&d.open) * scale)))
        .collect();
    html! {
        svg.trends xmlns="http://www.w3.org/2000/svg" role="img" width=(fmt(width)) height=(fmt(height))
            viewBox=(format!("0 0 {} {}", fmt(width), fmt(height))) {
            title { "Findings per day: new above the axis, resolved below, open as the line" }
            line.axis x1="30" y1=(fmt(axis)) x2=(fmt(width)) y2=(fmt(axis)) {}
            @for (i, day) in days.iter().enumerate() {
                rect.new x=(fmt(x(i))) y=(fmt(axis - total(&day.new) * scale)) width=(fmt(BAR))
                    height=(fmt(total(&day.new) * scale)) { title { (day.day) ": " (total(&day.new)) " new" } }
                rect.resolved x=(fmt(x(i))) y=(fmt(axis)) width=(fmt(BAR))
                    height=(fmt(total(&day.resolved) * scale)) { title { (day.day) ": " (total(&day.resolved)) " resolved" } }
                text.day x=(fmt(x(i) + BAR / 2.0)) y=(fmt(height - 4.0)) text-anchor="middle" { (day.day.get(5..).unwrap_or(&day.day)) }
            }
            polyline.open points=(open_points.join(" ")) {}
        }
    }
}
