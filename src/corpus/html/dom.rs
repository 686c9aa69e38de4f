//! A page as a flat list of nodes in document order, built once from the parsed tree: each
//! node knows its parent and the end of its subtree, so every later pass (boilerplate marks,
//! text statistics, scoring) is a loop over a vector, never a recursion, whatever the nesting.

use super::parse::{Data, Tree};

/// Elements whose content is never text of the page.
const INVISIBLE: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object", "embed",
    "canvas", "video", "audio", "map", "select", "textarea", "option",
];

/// One element or run of text.
#[derive(Debug)]
pub struct Node {
    /// Lowercase tag name; empty for text.
    pub tag: String,
    /// Text of a text node (raw, not collapsed).
    pub text: String,
    pub parent: usize,
    /// One past the last node of this node's subtree.
    pub end: usize,
    pub depth: u32,
    /// `class` and `id`, lowercased, separated by a space.
    pub names: String,
    pub attrs: Vec<(String, String)>,
}

impl Node {
    pub fn is_text(&self) -> bool {
        self.tag.is_empty()
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The page's nodes; index 0 is the document root.
#[derive(Debug)]
pub struct Dom {
    pub nodes: Vec<Node>,
}

impl Dom {
    /// Flattens a parsed page, leaving out comments and invisible elements.
    pub fn new(tree: &Tree) -> Dom {
        let mut nodes = Vec::with_capacity(tree.nodes.len());
        nodes.push(Node {
            tag: "#root".into(),
            text: String::new(),
            parent: 0,
            end: 0,
            depth: 0,
            names: String::new(),
            attrs: Vec::new(),
        });
        let mut open: Vec<usize> = vec![0];
        // Depth inside an invisible element: its subtree is skipped.
        let mut hidden = 0usize;
        for (id, entering) in tree.walk(0) {
            let node = &tree.nodes[id];
            match (&node.data, entering) {
                (Data::Element { name, .. }, true) => {
                    if hidden > 0 || INVISIBLE.contains(&&*name.local) {
                        hidden += 1;
                        continue;
                    }
                    let parent = *open.last().unwrap_or(&0);
                    let mut names = String::new();
                    let mut attrs = Vec::new();
                    for (k, v) in node.attrs() {
                        if k == "class" || k == "id" {
                            names.push_str(&v.to_lowercase());
                            names.push(' ');
                        } else if KEPT_ATTRS.contains(&k) {
                            attrs.push((k.to_string(), v.to_string()));
                        }
                    }
                    nodes.push(Node {
                        tag: name.local.to_string(),
                        text: String::new(),
                        parent,
                        end: 0,
                        depth: open.len() as u32,
                        names,
                        attrs,
                    });
                    open.push(nodes.len() - 1);
                }
                (Data::Element { .. }, false) => {
                    if hidden > 0 {
                        hidden -= 1;
                    } else if let Some(i) = open.pop() {
                        nodes[i].end = nodes.len();
                    }
                }
                (Data::Text(t), true) if hidden == 0 => {
                    let parent = *open.last().unwrap_or(&0);
                    nodes.push(Node {
                        tag: String::new(),
                        text: t.to_string(),
                        parent,
                        end: nodes.len() + 1,
                        depth: open.len() as u32,
                        names: String::new(),
                        attrs: Vec::new(),
                    });
                }
                _ => {}
            }
        }
        nodes[0].end = nodes.len();
        Dom { nodes }
    }

    /// The children of node `i`, in order.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.nodes[i].end;
        let mut next = i + 1;
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let c = next;
                next = self.nodes[c].end.max(c + 1);
                c
            })
        })
    }
}

/// The attributes the extractor looks at.
const KEPT_ATTRS: &[&str] = &["itemprop", "role", "hidden", "aria-hidden", "style"];
