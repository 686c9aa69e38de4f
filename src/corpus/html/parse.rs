//! A page parsed by html5ever into a plain arena: nodes in a vector, linked by index to their
//! parent, children and siblings. html5ever's tree builder does the HTML standard's repairs
//! (misnested and unclosed tags, implied elements); this module only stores what it builds,
//! for [`super::dom`] and [`super::meta`] to read.

use std::borrow::Cow;
use std::cell::{Ref, RefCell};
use std::ops::Range;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName, local_name, ns};

/// No node: the link of a node without parent, child or sibling there.
pub const NONE: usize = usize::MAX;

/// What a node is.
#[derive(Debug)]
pub enum Data {
    Document,
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
    },
    Text(StrTendril),
    /// A comment, doctype, processing instruction or template contents: never read.
    Other,
}

/// One node and its links.
#[derive(Debug)]
pub struct Node {
    pub data: Data,
    pub parent: usize,
    pub first_child: usize,
    pub last_child: usize,
    pub prev: usize,
    pub next: usize,
}

impl Node {
    /// The lowercase local name of an element; `None` for other nodes.
    pub fn tag(&self) -> Option<&str> {
        match &self.data {
            Data::Element { name, .. } => Some(&name.local),
            _ => None,
        }
    }

    /// An attribute's value, by local name.
    pub fn attr(&self, key: &str) -> Option<&str> {
        match &self.data {
            Data::Element { attrs, .. } => (attrs.iter())
                .find(|a| &*a.name.local == key)
                .map(|a| &*a.value),
            _ => None,
        }
    }

    /// The attributes of an element as (local name, value).
    pub fn attrs(&self) -> impl Iterator<Item = (&str, &str)> {
        let attrs: &[Attribute] = match &self.data {
            Data::Element { attrs, .. } => attrs,
            _ => &[],
        };
        attrs.iter().map(|a| (&*a.name.local, &*a.value))
    }
}

/// A parsed page; node 0 is the document.
#[derive(Debug)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Parses a whole page, given to the parser [`slim`].
    pub fn document(html: &str, warnings: &mut Vec<String>) -> Tree {
        let html = slim(html);
        if html.too_deep {
            warnings.push(format!(
                "elements nested more than {MAX_DEPTH} deep; the deeper ones were left out"
            ));
        }
        html5ever::parse_document(Sink::new(html.text.len()), Default::default()).one(&*html.text)
    }

    /// Parses a fragment of a page's body (a feed item's content).
    pub fn fragment(html: &str) -> Tree {
        let body = QualName::new(None, ns!(html), local_name!("body"));
        html5ever::parse_fragment(
            Sink::new(html.len()),
            Default::default(),
            body,
            vec![],
            false,
        )
        .one(html)
    }

    /// The nodes below `root` in document order, `root` first, each with a flag that is true
    /// when the walk enters it and false when it leaves an element (after its subtree).
    pub fn walk(&self, root: usize) -> impl Iterator<Item = (usize, bool)> + '_ {
        let after = move |at: usize| {
            let node = &self.nodes[at];
            match (at == root, node.next) {
                (true, _) => None,
                (false, NONE) => Some((node.parent, false)),
                (false, next) => Some((next, true)),
            }
        };
        let mut next = Some((root, true));
        std::iter::from_fn(move || {
            let (at, entering) = next?;
            let node = &self.nodes[at];
            let container = matches!(node.data, Data::Element { .. } | Data::Document);
            next = match (entering, container, node.first_child) {
                (true, true, NONE) => Some((at, false)),
                (true, true, child) => Some((child, true)),
                _ => after(at),
            };
            Some((at, entering))
        })
    }

    /// The text below a node, up to about `max` bytes.
    pub fn text_of(&self, id: usize, max: usize) -> String {
        let mut out = String::new();
        for (n, entering) in self.walk(id) {
            if let (true, Data::Text(t)) = (entering, &self.nodes[n].data) {
                out.push_str(t);
                if out.len() > max {
                    break;
                }
            }
        }
        out
    }
}

/// Whether a later pass reads an attribute (by its lowercase name) of an element; the parser
/// is not given the others.
fn is_read(element: &[u8], attr: &[u8]) -> bool {
    match attr {
        b"class" | b"id" | b"itemprop" | b"role" | b"hidden" | b"aria-hidden" | b"style"
        | b"lang" | b"xml:lang" | b"content" | b"property" | b"name" | b"http-equiv" | b"type"
        | b"rel" | b"datetime" => true,
        b"href" => element == b"link",
        _ => false,
    }
}

/// Elements whose content the tokenizer reads as text, never as tags, and the three whose
/// content is dropped (scripts but JSON-LD, style sheets, drawings).
fn content_kind(element: &[u8]) -> Option<Content> {
    match element {
        b"title" | b"textarea" | b"xmp" | b"iframe" | b"noembed" | b"noframes" | b"noscript"
        | b"plaintext" => Some(Content::Text),
        b"script" | b"style" | b"svg" => Some(Content::Dropped),
        _ => None,
    }
}

#[derive(PartialEq)]
enum Content {
    Text,
    Dropped,
}

/// A name in lowercase, in `buf`; names longer than it are none that matters here.
fn lowercase<'b>(name: &[u8], buf: &'b mut [u8; 16]) -> &'b [u8] {
    if name.len() > buf.len() {
        return b"";
    }
    let out = &mut buf[..name.len()];
    out.copy_from_slice(name);
    out.make_ascii_lowercase();
    out
}

/// What the parser is given of a page: the same elements in the same places, but without the
/// contents of scripts (JSON-LD kept), style sheets and inline SVG drawings, and without the
/// attributes nobody reads (`href` of links, `src`, `srcset`, `data-*`, event handlers). On a
/// typical news page these are four fifths of the bytes and none of the text, and the
/// tokenizer reads every byte it is given one at a time. Tags are delimited as the HTML
/// tokenizer delimits them (quoted values may hold `>`); comments pass through whole, so a
/// `<script>` inside one is not taken for a script.
pub fn slim(html: &str) -> Slim<'_> {
    let b = html.as_bytes();
    let mut out = String::new();
    let (mut copied, mut at, mut depth, mut too_deep) = (0, 0, 0usize, false);
    let mut attrs = Vec::new();
    let (mut name_buf, mut attr_buf) = ([0u8; 16], [0u8; 16]);
    while let Some(lt) = memchr::memchr(b'<', &b[at..]).map(|p| p + at) {
        at = lt + 1;
        if b[lt..].starts_with(b"<!--") {
            at = memchr::memmem::find(&b[lt + 4..], b"-->").map_or(b.len(), |e| lt + 4 + e + 3);
            continue;
        }
        let end_tag = b.get(lt + 1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(end_tag);
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = (name_start..b.len())
            .find(|&i| is_space(b[i]) || b[i] == b'/' || b[i] == b'>')
            .unwrap_or(b.len());
        let Some(tag) = tag_rest(b, name_end, &mut attrs) else {
            break; // a tag cut by the end of the page: the parser drops it
        };
        at = tag.end;
        let name = lowercase(&b[name_start..name_end], &mut name_buf);
        let content = content_kind(name);
        if content.is_none() && !is_unnested(name) {
            let d = depth;
            depth = if end_tag { d.saturating_sub(1) } else { d + 1 };
            if d.max(depth) > MAX_DEPTH {
                out.push_str(&html[copied..lt]);
                copied = tag.end;
                too_deep = true;
                continue;
            }
        }
        if end_tag {
            continue;
        }
        let mut json_ld = false;
        let mut all_read = true;
        for a in attrs.iter_mut() {
            let attr = lowercase(&b[a.name.clone()], &mut attr_buf);
            a.read = is_read(name, attr);
            all_read &= a.read;
            json_ld |= attr == b"type"
                && memchr::memmem::find(&b[a.whole.clone()].to_ascii_lowercase(), b"ld+json")
                    .is_some();
        }
        if !all_read {
            out.push_str(&html[copied..name_end]);
            for a in attrs.iter().filter(|a| a.read) {
                out.push(' ');
                out.push_str(&html[a.whole.clone()]);
            }
            out.push_str(if tag.self_closing { "/>" } else { ">" });
            copied = tag.end;
        }
        if let Some(content) = content {
            let close = find_end_tag(b, tag.end, name).unwrap_or(b.len());
            if content == Content::Dropped && !json_ld && close > tag.end {
                out.push_str(&html[copied..tag.end]);
                copied = close;
            }
            at = close;
        }
    }
    let text = if copied == 0 {
        Cow::Borrowed(html)
    } else {
        out.push_str(&html[copied..]);
        Cow::Owned(out)
    };
    Slim { text, too_deep }
}

/// A page as given to the parser.
pub struct Slim<'a> {
    pub text: Cow<'a, str>,
    /// Elements nested deeper than [`MAX_DEPTH`] were left out (their text is kept).
    pub too_deep: bool,
}

/// Elements nested deeper than this are left out of the tree (their text is kept), as browsers
/// do: the HTML tree builder checks the whole stack of open elements at many a tag, so a page
/// nested 100,000 deep would take minutes.
pub const MAX_DEPTH: usize = 1000;

/// Elements that never hold others in practice (void elements) or are closed by the next of
/// their kind (`<p>`, `<li>`, table cells): not counted in a page's depth.
fn is_unnested(element: &[u8]) -> bool {
    matches!(
        element,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
            | b"frame"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"rtc"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"colgroup"
            | b"caption"
            | b"html"
            | b"head"
            | b"body"
    )
}

/// Where a tag ends, read from the end of its name.
struct Tag {
    end: usize,
    self_closing: bool,
}

/// One attribute of a tag: its name, its whole text, and whether it is kept.
struct Attr {
    name: Range<usize>,
    whole: Range<usize>,
    read: bool,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Reads attributes into `attrs` as the tokenizer does; `None` when the page ends inside the
/// tag.
fn tag_rest(b: &[u8], mut i: usize, attrs: &mut Vec<Attr>) -> Option<Tag> {
    attrs.clear();
    let skip = |mut i: usize| {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        i
    };
    loop {
        while i < b.len() && (is_space(b[i]) || (b[i] == b'/' && b.get(i + 1) != Some(&b'>'))) {
            i += 1;
        }
        match b.get(i)? {
            b'/' => {
                return Some(Tag {
                    end: i + 2,
                    self_closing: true,
                });
            }
            b'>' => {
                return Some(Tag {
                    end: i + 1,
                    self_closing: false,
                });
            }
            _ => {}
        }
        let start = i;
        i += 1;
        while i < b.len() && !(is_space(b[i]) || matches!(b[i], b'/' | b'>' | b'=')) {
            i += 1;
        }
        let name = start..i;
        let after = skip(i);
        if b.get(after) == Some(&b'=') {
            i = skip(after + 1);
            match *b.get(i)? {
                q @ (b'"' | b'\'') => i += 1 + memchr::memchr(q, &b[i + 1..])? + 1,
                b'>' => {}
                _ => {
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
        attrs.push(Attr {
            name,
            whole: start..i,
            read: false,
        });
    }
}

/// Where the end tag `</name` of a raw-text element starts, in any letter case.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(p) = memchr::memmem::find(&b[at..], b"</") {
        let lt = at + p;
        let n = &b[lt + 2..];
        if n.len() >= name.len() && n[..name.len()].eq_ignore_ascii_case(name) {
            return Some(lt);
        }
        at = lt + 2;
    }
    None
}

/// html5ever's tree sink writing into a [`Tree`].
struct Sink {
    tree: RefCell<Tree>,
}

impl Sink {
    fn new(bytes: usize) -> Sink {
        // About one node for every 40 bytes of a page.
        let mut nodes = Vec::with_capacity(bytes / 40 + 16);
        nodes.push(Node::new(Data::Document));
        Sink {
            tree: RefCell::new(Tree { nodes }),
        }
    }

    fn push(&self, data: Data) -> usize {
        let mut tree = self.tree.borrow_mut();
        tree.nodes.push(Node::new(data));
        tree.nodes.len() - 1
    }
}

impl Node {
    fn new(data: Data) -> Node {
        Node {
            data,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev: NONE,
            next: NONE,
        }
    }
}

impl Tree {
    fn detach(&mut self, id: usize) {
        let Node {
            parent, prev, next, ..
        } = self.nodes[id];
        if parent == NONE {
            return;
        }
        match prev {
            NONE => self.nodes[parent].first_child = next,
            p => self.nodes[p].next = next,
        }
        match next {
            NONE => self.nodes[parent].last_child = prev,
            n => self.nodes[n].prev = prev,
        }
        let node = &mut self.nodes[id];
        (node.parent, node.prev, node.next) = (NONE, NONE, NONE);
    }

    fn append(&mut self, parent: usize, id: usize) {
        let last = self.nodes[parent].last_child;
        match last {
            NONE => self.nodes[parent].first_child = id,
            l => self.nodes[l].next = id,
        }
        self.nodes[parent].last_child = id;
        let node = &mut self.nodes[id];
        (node.parent, node.prev, node.next) = (parent, last, NONE);
    }

    fn insert_before(&mut self, sibling: usize, id: usize) {
        let Node { parent, prev, .. } = self.nodes[sibling];
        match prev {
            NONE => self.nodes[parent].first_child = id,
            p => self.nodes[p].next = id,
        }
        self.nodes[sibling].prev = id;
        let node = &mut self.nodes[id];
        (node.parent, node.prev, node.next) = (parent, prev, sibling);
    }

    /// Appends text to node `at` when it is a text node.
    fn extend_text(&mut self, at: usize, text: &StrTendril) -> bool {
        match self.nodes.get_mut(at).map(|n| &mut n.data) {
            Some(Data::Text(t)) => {
                t.push_tendril(text);
                true
            }
            _ => false,
        }
    }
}

impl TreeSink for Sink {
    type Output = Tree;
    type Handle = usize;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Tree {
        self.tree.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> usize {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> Ref<'a, QualName> {
        Ref::map(self.tree.borrow(), |t| match &t.nodes[*target].data {
            Data::Element { name, .. } => name,
            // The tree builder asks only for elements' names.
            _ => unreachable!("elem_name of a node that is not an element"),
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _: ElementFlags) -> usize {
        let template = name.local == local_name!("template");
        let id = self.push(Data::Element { name, attrs });
        if template {
            let contents = self.push(Data::Other);
            self.tree.borrow_mut().append(id, contents);
        }
        id
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.push(Data::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.push(Data::Other)
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        let mut tree = self.tree.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => tree.append(*parent, id),
            NodeOrText::AppendText(text) => {
                let last = tree.nodes[*parent].last_child;
                if !tree.extend_text(last, &text) {
                    tree.nodes.push(Node::new(Data::Text(text)));
                    let id = tree.nodes.len() - 1;
                    tree.append(*parent, id);
                }
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &usize,
        prev_element: &usize,
        child: NodeOrText<usize>,
    ) {
        if self.tree.borrow().nodes[*element].parent != NONE {
            self.append_before_sibling(element, child)
        } else {
            self.append(prev_element, child)
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        self.tree.borrow().nodes[*target].first_child
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &usize, new_node: NodeOrText<usize>) {
        let mut tree = self.tree.borrow_mut();
        if tree.nodes[*sibling].parent == NONE {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(id) => {
                tree.detach(id);
                tree.insert_before(*sibling, id);
            }
            NodeOrText::AppendText(text) => {
                let prev = tree.nodes[*sibling].prev;
                if !tree.extend_text(prev, &text) {
                    tree.nodes.push(Node::new(Data::Text(text)));
                    let id = tree.nodes.len() - 1;
                    tree.insert_before(*sibling, id);
                }
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &usize, new: Vec<Attribute>) {
        if let Data::Element { attrs, .. } = &mut self.tree.borrow_mut().nodes[*target].data {
            for a in new {
                if !attrs.iter().any(|b| b.name == a.name) {
                    attrs.push(a);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &usize) {
        self.tree.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let mut tree = self.tree.borrow_mut();
        let mut child = tree.nodes[*node].first_child;
        while child != NONE {
            let next = tree.nodes[child].next;
            tree.detach(child);
            tree.append(*new_parent, child);
            child = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(tree: &Tree) -> String {
        let mut out = String::new();
        for (n, entering) in tree.walk(0) {
            match (&tree.nodes[n].data, entering) {
                (Data::Element { name, .. }, true) => out += &format!("<{}>", name.local),
                (Data::Element { name, .. }, false) => out += &format!("</{}>", name.local),
                (Data::Text(t), true) => out += t,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn the_tree_builder_repairs_what_the_page_breaks() {
        let tree = Tree::document(
            "<title>T</title><p>one<p>two <b>bold <i>both</b> it</i>",
            &mut Vec::new(),
        );
        assert_eq!(
            shape(&tree),
            "<html><head><title>T</title></head><body><p>one</p>\
             <p>two <b>bold <i>both</i></b><i> it</i></p></body></html>"
        );
    }

    #[test]
    fn text_moved_out_of_a_table_and_joined() {
        let tree = Tree::document("<table>lost<tr><td>cell</td></tr></table>", &mut Vec::new());
        assert_eq!(
            shape(&tree),
            "<html><head></head><body>lost<table><tbody><tr><td>cell</td></tr></tbody></table>\
             </body></html>"
        );
        let body = tree
            .walk(0)
            .find(|(n, _)| tree.nodes[*n].tag() == Some("body"));
        assert_eq!(tree.text_of(body.unwrap().0, 100), "lostcell");
    }

    #[test]
    fn fragments_and_attributes() {
        let tree = Tree::fragment(r#"<p class="a" id=x>hi</p><p>there"#);
        let p = (1..tree.nodes.len()).find(|&n| tree.nodes[n].tag() == Some("p"));
        let p = &tree.nodes[p.unwrap()];
        assert_eq!(p.attr("id"), Some("x"));
        assert_eq!(p.attrs().count(), 2);
        assert!(shape(&tree).contains("<p>hi</p><p>there</p>"));
    }

    #[test]
    fn scripts_styles_and_unread_attributes_are_not_given_to_the_parser() {
        let page = "<head><STYLE>p{x:1}</style><script type=\"application/ld+json\">{\"a\":1}</script>\
                    <script>if (a < b) {}</SCRIPT><link rel=canonical href='/a'></head><!-- <script> -->\
                    <a href=\"/x\" class=k data-x='>'>Text</a><img src=a.jpg/><title><b x=1></title>\
                    <p id=a onclick=\"go()\"  hidden>x<b<script>x";
        assert_eq!(
            slim(page).text,
            "<head><STYLE></style><script type=\"application/ld+json\">{\"a\":1}</script>\
             <script></SCRIPT><link rel=canonical href='/a'></head><!-- <script> -->\
             <a class=k>Text</a><img><title><b x=1></title>\
             <p id=a hidden>x<b<script>x"
        );
        assert!(matches!(slim("<p class=a>b</p>").text, Cow::Borrowed(_)));
        // A tag cut by the end of the page is left to the parser as it is.
        assert_eq!(slim("<p>a</p><a href=\"x").text, "<p>a</p><a href=\"x");
    }

    #[test]
    fn a_page_nested_too_deep_keeps_its_text_but_not_its_depth() {
        let deep = |n: usize| {
            format!(
                "{}<p>Wort</p>{}",
                "<div><i>".repeat(n),
                "</i></div>".repeat(n)
            )
        };
        assert!(!slim(&deep(MAX_DEPTH / 2)).too_deep);
        assert!(slim(&deep(10_000)).too_deep);
        let tree = Tree::document(&deep(10_000), &mut Vec::new());
        let depth = |mut n: usize| {
            let mut d = 0;
            while n != NONE {
                (n, d) = (tree.nodes[n].parent, d + 1);
            }
            d
        };
        let text = (0..tree.nodes.len())
            .find(|&n| matches!(&tree.nodes[n].data, Data::Text(t) if &**t == "Wort"));
        assert!((MAX_DEPTH..MAX_DEPTH + 10).contains(&depth(text.unwrap())));
    }
}
