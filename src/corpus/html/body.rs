//! The main text of a page: which part of the page is the article, and which blocks of it are
//! text a reader reads. Boilerplate (navigation, share and comment areas, teaser lists,
//! newsletter and cookie boxes, ads) is marked by tag, ARIA role and class/id words; the
//! article container is the element whose paragraphs score highest (paragraph length and commas
//! credited to their parent and grandparent, weighted by class/id words and link density), with
//! the siblings that continue it; blocks inside it that are mostly links or page furniture are
//! dropped.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

use super::dom::Dom;
use crate::corpus::text::FURNITURE;

/// What a block of the main text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    /// `h1`…`h6` with its level.
    Heading(u8),
    Item,
    Quote,
    Caption,
    Row,
}

/// A block of the main text, whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBlock {
    pub kind: BlockKind,
    pub text: String,
}

/// Stands for `<br>` in gathered text (a Unicode line separator: whitespace when collapsed).
const LINE_BREAK: char = '\u{2028}';

/// Elements that are never part of an article's text.
const BOILERPLATE_TAGS: &[&str] = &[
    "nav", "footer", "aside", "button", "input", "dialog", "menu", "label",
];

/// Class/id words of page furniture.
const NEGATIVE: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "sidebar",
    "share",
    "sharing",
    "social",
    "comment",
    "comments",
    "disqus",
    "related",
    "recommended",
    "recommendation",
    "recommendations",
    "newsletter",
    "subscribe",
    "subscription",
    "promo",
    "promotion",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "adslot",
    "adunit",
    "sponsor",
    "sponsored",
    "banner",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "popup",
    "modal",
    "overlay",
    "breadcrumb",
    "breadcrumbs",
    "widget",
    "outbrain",
    "taboola",
    "toolbar",
    "masthead",
    "pagination",
    "pager",
    "skip",
    "print",
    "login",
    "signup",
    "paywall",
    "teaser",
    "teasers",
    "more",
    "readmore",
    "tags",
    "tagcloud",
    "topics",
    "trending",
    "popular",
    "mostread",
    "most",
    "caption-credit",
    "credit",
    "hidden",
    "hide",
    "sr",
    "screenreader",
    "visually",
    "rating",
    "reactions",
    "author-box",
    "authorbox",
    "bio",
    "byline",
    "dateline",
    "timestamp",
    "meta",
    "newsletterbox",
    "inline-ad",
    "jump",
    "dropdown",
    "flyout",
    "lightbox",
    "tooltip",
    "alert",
    "notification",
    "kicker",
    "dachzeile",
    "overline",
    "eyebrow",
    "topline",
    "rubric",
    "werbung",
    "anzeige",
    "teilen",
    "kommentare",
    "kommentar",
    "empfehlung",
    "empfehlungen",
    "weitere",
    "mehr",
    "meinenews",
    "abo",
    "fusszeile",
];

/// The word lists as sets.
static NEGATIVE_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| NEGATIVE.iter().copied().collect());
static POSITIVE_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| POSITIVE.iter().copied().collect());

/// Class/id words of article containers.
const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "article-body",
    "article-content",
    "article-text",
    "body",
    "content",
    "entry",
    "entry-content",
    "main",
    "page",
    "post",
    "post-content",
    "post-body",
    "text",
    "blog",
    "story",
    "story-body",
    "storybody",
    "richtext",
    "prose",
];

/// Roles of page furniture.
const NEGATIVE_ROLES: &[&str] = &[
    "navigation",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alert",
    "menu",
    "menubar",
];

/// Blocks of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "figcaption",
    "tr",
    "dd",
    "dt",
    "div",
    "section",
    "article",
    "main",
    "td",
    "th",
    "table",
    "ul",
    "ol",
    "dl",
    "figure",
    "header",
    "address",
    "details",
    "summary",
    "center",
    "body",
    "tbody",
    "thead",
];

/// Per-node facts gathered bottom-up.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    /// Characters of visible text (whitespace runs count one).
    chars: u32,
    /// Of those, inside links.
    link_chars: u32,
    commas: u32,
    /// Characters in paragraphs that were scored (long enough, few links).
    para: u32,
    /// Paragraph score credited from the paragraphs below.
    score: f32,
    scored: bool,
}

/// Extracts the main text of a page; empty when the page has no article text.
pub fn extract(dom: &Dom) -> Vec<TextBlock> {
    let weights = class_weights(dom);
    let furniture = mark_boilerplate(dom, &weights);
    let stats = gather(dom, &furniture, &weights);
    let Some(top) = best_container(dom, &furniture, &stats) else {
        return Vec::new();
    };
    let mut roots = vec![top];
    // Siblings that continue the article: well scored, or long paragraphs with few links.
    let parent = dom.nodes[top].parent;
    if parent != top {
        let threshold = (stats[top].score * 0.2).max(10.0);
        roots = dom
            .children(parent)
            .filter(|&c| {
                c == top
                    || (!furniture[c]
                        && !dom.nodes[c].is_text()
                        && (stats[c].scored && stats[c].score >= threshold
                            || stats[c].para >= 80 && density(&stats[c]) < 0.25 && weights[c] >= 0))
            })
            .collect();
    }
    let mut blocks = Vec::new();
    for root in roots {
        collect(dom, &furniture, &stats, root, &mut blocks);
    }
    clean(blocks)
}

/// Every text block of a fragment known to be article text (a feed item's content), furniture
/// left out.
pub fn all_blocks(dom: &Dom) -> Vec<TextBlock> {
    let weights = class_weights(dom);
    let furniture = mark_boilerplate(dom, &weights);
    let stats = gather(dom, &furniture, &weights);
    let mut blocks = Vec::new();
    collect(dom, &furniture, &stats, 0, &mut blocks);
    clean(blocks)
}

/// True for every node that is furniture or inside furniture. Tags, roles, hidden elements
/// and unmistakable class words (comments, sharing, newsletters…) always mark; other furniture
/// words mark only an element holding little of the page's text, since layout wrappers carry
/// names like `page-ad-margins` or `has-sidebar` around the article itself.
fn mark_boilerplate(dom: &Dom, weights: &[i32]) -> Vec<bool> {
    let nodes = &dom.nodes;
    let mut hard = vec![false; nodes.len()];
    let mut in_article = vec![false; nodes.len()];
    for i in 1..nodes.len() {
        let node = &nodes[i];
        let p = node.parent;
        in_article[i] = in_article[p] || matches!(node.tag.as_str(), "article" | "main");
        hard[i] = hard[p] || (!node.is_text() && is_furniture(node, in_article[p]));
    }
    // Text left once the certain furniture is out, per subtree.
    let mut chars = vec![0u32; nodes.len()];
    for i in (1..nodes.len()).rev() {
        if hard[i] {
            continue;
        }
        if nodes[i].is_text() {
            chars[i] = collapsed_len(&nodes[i].text);
        }
        let p = nodes[i].parent;
        chars[p] += chars[i];
    }
    let small = (chars[0] as f32 * 0.3) as u32;
    let mut marked = hard;
    for i in 1..nodes.len() {
        let node = &nodes[i];
        if marked[i] || node.is_text() || marked[node.parent] {
            marked[i] |= marked[node.parent];
            continue;
        }
        let named = !node.names.is_empty() && !matches!(node.tag.as_str(), "body" | "html");
        let negative = node.tag == "form" || named && weights[i] < 0;
        marked[i] = (negative || headed_as_furniture(dom, i)) && chars[i] <= small;
    }
    marked
}

/// A box whose first heading is a furniture label (`Mehr zum Thema`, `Related stories`).
fn headed_as_furniture(dom: &Dom, i: usize) -> bool {
    let nodes = &dom.nodes;
    if !matches!(nodes[i].tag.as_str(), "div" | "section" | "ul" | "ol") {
        return false;
    }
    let end = nodes[i].end.min(i + 6);
    let Some(h) = (i + 1..end).find(|&j| {
        let t = nodes[j].tag.as_bytes();
        t.len() == 2 && t[0] == b'h' && (b'2'..=b'6').contains(&t[1])
    }) else {
        return false;
    };
    let text: String = (h + 1..nodes[h].end)
        .filter(|&j| nodes[j].is_text())
        .map(|j| nodes[j].text.as_str())
        .collect();
    let label = collapse(&text).to_lowercase();
    let label = label.trim_end_matches([':', '.']);
    FURNITURE.iter().any(|f| f.to_lowercase() == label)
}

/// Elements that are furniture by themselves: tags, roles, hidden, and class/id words that
/// never name an article container.
fn is_furniture(node: &super::dom::Node, in_article: bool) -> bool {
    let tag = node.tag.as_str();
    if BOILERPLATE_TAGS.contains(&tag) || (tag == "header" && !in_article) {
        return true;
    }
    if node.attr("hidden").is_some() || node.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = node.attr("style") {
        let s: String = style.chars().filter(|c| !c.is_whitespace()).collect();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    if node
        .attr("role")
        .is_some_and(|r| NEGATIVE_ROLES.contains(&r))
    {
        return true;
    }
    !matches!(tag, "body" | "html" | "article" | "main")
        && node.names.split_whitespace().any(|name| {
            let mut words = name.split(|c: char| !c.is_ascii_alphanumeric());
            let certain = words.clone().any(|w| CERTAIN.contains(&w));
            certain && !words.any(|w| CONTENT_WORDS.contains(&w))
        })
}

/// Class/id words that name an article's container, whatever else a name says.
const CONTENT_WORDS: &[&str] = &[
    "article", "body", "content", "entry", "main", "post", "story",
];

/// Class/id words that always mean furniture.
const CERTAIN: &[&str] = &[
    "comment",
    "comments",
    "disqus",
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "newsletter",
    "outbrain",
    "taboola",
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "recommendations",
    "promo",
    "navbar",
    "navigation",
    "menu",
    "footer",
];

/// Each node's class/id weight ([`class_weight`]), computed once for each distinct name (a
/// page repeats its few class names on hundreds of elements).
fn class_weights(dom: &Dom) -> Vec<i32> {
    let mut known: FxHashMap<&str, i32> = FxHashMap::default();
    (dom.nodes.iter())
        .map(|n| match n.names.is_empty() {
            true => 0,
            false => *known
                .entry(&n.names)
                .or_insert_with(|| class_weight(&n.names)),
        })
        .collect()
}

/// +1 per article word, −1 per furniture word in class and id (each name whole, else split at
/// non-letters).
fn class_weight(names: &str) -> i32 {
    let mut weight = 0;
    for name in names.split_whitespace() {
        if POSITIVE_SET.contains(name) {
            weight += 1;
            continue;
        }
        if NEGATIVE_SET.contains(name) {
            weight -= 1;
            continue;
        }
        let (mut positive, mut negative, mut content) = (false, false, false);
        for w in name.split(|c: char| !c.is_ascii_alphanumeric()) {
            positive |= POSITIVE_SET.contains(w);
            negative |= NEGATIVE_SET.contains(w);
            content |= CONTENT_WORDS.contains(&w);
        }
        // A container named for the article body is not furniture, whatever else it says.
        if positive && !negative {
            weight += 1;
        } else if negative && !content {
            weight -= 1;
        }
    }
    weight
}

/// Text statistics and paragraph scores, bottom-up over the document order reversed.
fn gather(dom: &Dom, furniture: &[bool], weights: &[i32]) -> Vec<Stats> {
    let nodes = &dom.nodes;
    let mut stats = vec![Stats::default(); nodes.len()];
    let mut in_link = vec![false; nodes.len()];
    for i in 1..nodes.len() {
        in_link[i] = in_link[nodes[i].parent] || nodes[i].tag == "a";
    }
    for i in (1..nodes.len()).rev() {
        if furniture[i] {
            continue;
        }
        let node = &nodes[i];
        if node.is_text() {
            let chars = collapsed_len(&node.text);
            stats[i].chars = chars;
            stats[i].commas = node.text.matches([',', '，', '、']).count() as u32;
            if in_link[i] {
                stats[i].link_chars = chars;
            }
        }
        let own = stats[i];
        // A paragraph credits its container and the ones above it; so does text standing
        // directly in a container (pages that separate paragraphs with `<br>`).
        let container = match node.is_text() && !in_link[i] {
            true => loose_text_container(dom, i),
            false => None,
        };
        if (container.is_some() || matches!(node.tag.as_str(), "p" | "pre" | "td" | "blockquote"))
            && own.chars >= 25
            && density(&own) < 0.5
        {
            let points = 1.0 + own.commas as f32 + (own.chars as f32 / 100.0).min(3.0);
            stats[i].para = own.chars;
            let mut ancestor = container.unwrap_or(node.parent);
            for share in [1.0, 0.5, 1.0 / 3.0] {
                if ancestor == 0 || furniture[ancestor] {
                    break;
                }
                if !stats[ancestor].scored {
                    stats[ancestor].scored = true;
                    stats[ancestor].score += initial_score(&nodes[ancestor], weights[ancestor]);
                }
                stats[ancestor].score += points * share;
                ancestor = nodes[ancestor].parent;
            }
        }
        let p = node.parent;
        // Paragraphs in a box named as furniture (`more-news`, `recent`) do not make the
        // article longer.
        if weights[i] >= 0 {
            stats[p].para += stats[i].para;
        }
        stats[p].chars += own.chars;
        stats[p].link_chars += own.link_chars;
        stats[p].commas += own.commas;
    }
    stats
}

/// The container that text standing outside any paragraph belongs to: its nearest ancestor
/// that is not inline markup, when that is a plain container.
fn loose_text_container(dom: &Dom, i: usize) -> Option<usize> {
    let mut a = dom.nodes[i].parent;
    while a != 0 && INLINE.contains(&dom.nodes[a].tag.as_str()) {
        a = dom.nodes[a].parent;
    }
    matches!(
        dom.nodes[a].tag.as_str(),
        "div" | "section" | "article" | "main" | "td" | "center"
    )
    .then_some(a)
}

/// Inline markup around text.
const INLINE: &[&str] = &[
    "span", "font", "b", "strong", "i", "em", "u", "small", "big", "sup", "sub", "mark", "q",
    "cite", "abbr", "time",
];

fn initial_score(node: &super::dom::Node, weight: i32) -> f32 {
    let tag_score = match node.tag.as_str() {
        "div" | "article" | "main" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "ol" | "ul" | "dl" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    let mut score = tag_score + 25.0 * weight.clamp(-1, 1) as f32;
    if node.attr("itemprop") == Some("articleBody") {
        score += 50.0;
    }
    if node.tag == "article" {
        score += 10.0;
    }
    score
}

fn density(s: &Stats) -> f32 {
    if s.chars == 0 {
        0.0
    } else {
        s.link_chars as f32 / s.chars as f32
    }
}

/// How much more paragraph text an ancestor must hold to be taken as the article instead.
const CLIMB_RATIO: f32 = 1.3;

/// The element whose paragraphs make the article.
fn best_container(dom: &Dom, furniture: &[bool], stats: &[Stats]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, s) in stats.iter().enumerate() {
        if !s.scored || furniture[i] {
            continue;
        }
        let score = s.score * (1.0 - density(s));
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((i, score));
        }
    }
    let (mut top, _) = best?;
    // An article split into several containers (chunks between ads, sections): climb while
    // an ancestor holds clearly more paragraph text than the container found, with few links,
    // passing wrappers that add no paragraphs only on the way to such an ancestor.
    let mut at = top;
    loop {
        let parent = dom.nodes[at].parent;
        if parent == 0
            || furniture[parent]
            || matches!(dom.nodes[parent].tag.as_str(), "body" | "html")
        {
            break;
        }
        let p = &stats[parent];
        if p.para as f32 >= stats[top].para as f32 * CLIMB_RATIO && density(p) < 0.25 {
            top = parent;
        } else if p.para != stats[at].para {
            break;
        }
        at = parent;
    }
    Some(top)
}

/// Appends the text blocks under `root`, in order. Text belongs to the innermost open block;
/// a block starting inside another ends the text gathered so far (text between the blocks of
/// a container is a paragraph of its own).
fn collect(dom: &Dom, furniture: &[bool], stats: &[Stats], root: usize, out: &mut Vec<TextBlock>) {
    let nodes = &dom.nodes;
    let mut pending = Pending::default();
    // Open blocks: kind and end of subtree.
    let mut open: Vec<(BlockKind, usize)> = Vec::new();
    let kind_of = |open: &[(BlockKind, usize)]| open.last().map_or(BlockKind::Paragraph, |o| o.0);
    let (mut i, end) = (root, nodes[root].end);
    while i < end {
        while open.last().is_some_and(|&(_, e)| i >= e) {
            flush(&mut pending, kind_of(&open), out);
            open.pop();
        }
        let node = &nodes[i];
        if furniture[i] {
            i = node.end.max(i + 1);
            continue;
        }
        if node.is_text() {
            pending.text.push_str(&node.text);
            pending.chars += stats[i].chars;
            pending.link_chars += stats[i].link_chars;
            i += 1;
            continue;
        }
        let tag = node.tag.as_str();
        if tag == "br" {
            pending.text.push(LINE_BREAK);
        } else if let Some(kind) = block_kind(dom, i) {
            // A list of links (a teaser list inside the article) is not text.
            if matches!(kind, BlockKind::Item | BlockKind::Paragraph)
                && stats[i].chars > 0
                && density(&stats[i]) > 0.6
            {
                i = node.end.max(i + 1);
                continue;
            }
            flush(&mut pending, kind_of(&open), out);
            open.push((kind, node.end));
        } else if BLOCK_TAGS.contains(&tag) {
            flush(&mut pending, kind_of(&open), out);
            let inherited = kind_of(&open);
            open.push((inherited, node.end));
        }
        i += 1;
    }
    while let Some((kind, _)) = open.pop() {
        flush(&mut pending, kind, out);
    }
    flush(&mut pending, BlockKind::Paragraph, out);
}

/// The kind of block an element starts, if it starts one of its own.
fn block_kind(dom: &Dom, i: usize) -> Option<BlockKind> {
    let node = &dom.nodes[i];
    if !node.is_text()
        && node.tag != "figure"
        && (node.names.split(|c: char| !c.is_ascii_alphanumeric()))
            .any(|w| matches!(w, "caption" | "figcaption" | "credit" | "credits"))
    {
        return Some(BlockKind::Caption);
    }
    Some(match node.tag.as_str() {
        "p" | "dd" | "dt" | "address" | "summary" | "pre" => BlockKind::Paragraph,
        "li" => BlockKind::Item,
        "figcaption" => BlockKind::Caption,
        "tr" => BlockKind::Row,
        "blockquote" if !has_block_child(dom, i) => BlockKind::Quote,
        t if t.len() == 2 && t.starts_with('h') && (b'1'..=b'6').contains(&t.as_bytes()[1]) => {
            BlockKind::Heading(t.as_bytes()[1] - b'0')
        }
        _ => return None,
    })
}

fn has_block_child(dom: &Dom, i: usize) -> bool {
    dom.children(i).any(|c| {
        matches!(
            dom.nodes[c].tag.as_str(),
            "p" | "div" | "ul" | "ol" | "figure"
        )
    })
}

/// Text gathered for the block being read, with how much of it is link text.
#[derive(Default)]
struct Pending {
    text: String,
    chars: u32,
    link_chars: u32,
}

/// Ends the pending text as a block (split at line breaks for paragraphs). A short block
/// that is all link text (a section label, "read the full story") is not text of the article.
fn flush(pending: &mut Pending, kind: BlockKind, out: &mut Vec<TextBlock>) {
    let Pending {
        text,
        chars,
        link_chars,
    } = std::mem::take(pending);
    let all_links = link_chars * 10 >= chars * 9 && chars < 100;
    if text.trim().is_empty() || (all_links && !matches!(kind, BlockKind::Heading(_))) {
        return;
    }
    if kind == BlockKind::Row {
        let t = collapse(&text);
        if !t.is_empty() {
            out.push(TextBlock { kind, text: t });
        }
        return;
    }
    let mut parts = vec![String::new()];
    // Two line breaks with only spaces between end a paragraph.
    let mut breaks = 0;
    for c in text.chars() {
        match c {
            LINE_BREAK => breaks += 1,
            c if c.is_whitespace() => {}
            _ if breaks >= 2 => {
                parts.push(String::new());
                breaks = 0;
            }
            _ => breaks = 0,
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    for line in parts {
        let t = collapse(&line);
        if !t.is_empty() {
            out.push(TextBlock { kind, text: t });
        }
    }
}

/// Drops furniture lines and repeated blocks.
fn clean(blocks: Vec<TextBlock>) -> Vec<TextBlock> {
    let mut out: Vec<TextBlock> = Vec::with_capacity(blocks.len());
    let mut seen = std::collections::HashSet::new();
    for b in blocks {
        let lower = b.text.to_lowercase();
        let short = b.text.chars().count() < 60;
        if short
            && FURNITURE
                .iter()
                .any(|f| lower.trim_end_matches([':', '.']) == f.to_lowercase())
        {
            continue;
        }
        // A caption repeated (slideshows, responsive copies) is said once; other text only
        // loses a block that repeats the one before it (a recipe may list one item twice).
        let repeated = match b.kind == BlockKind::Caption {
            true => !seen.insert(b.text.clone()),
            false => out.last().is_some_and(|l| l.text == b.text),
        };
        if repeated {
            continue;
        }
        out.push(b);
    }
    out
}

/// Whitespace runs become one space, ends trimmed, and the text takes korpus's canonical form
/// (NFC, no soft hyphens).
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in crate::corpus::decode::normalize_text(s).split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn collapsed_len(s: &str) -> u32 {
    let mut n = 0u32;
    let mut space = true;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                n += 1;
            }
            space = true;
        } else {
            n += 1;
            space = false;
        }
    }
    n
}
