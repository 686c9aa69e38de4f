//! `--group-by article`: a collector that keeps, for every matching article, its best passage
//! and how many of its passages matched, then ranks articles by their best passage.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::top::{Key, Keys, Order, best_first};

/// The best passage of one article.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub score: Score,
    pub key: Key,
    pub doc: DocAddress,
    pub matches: u64,
}

/// The top articles and how many articles matched.
#[derive(Debug, Default)]
pub struct Groups {
    pub top: Vec<Group>,
    pub total_articles: usize,
}

pub struct BestPerArticle {
    limit: usize,
    order: Order,
}

impl BestPerArticle {
    pub fn new(limit: usize, order: &Order) -> Self {
        BestPerArticle {
            limit,
            order: order.clone(),
        }
    }
}

pub struct SegmentGroups {
    segment: SegmentOrdinal,
    order: Keys,
    groups: HashMap<u64, Group>,
}

impl Collector for BestPerArticle {
    type Fruit = Groups;
    type Child = SegmentGroups;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentGroups> {
        Ok(SegmentGroups {
            segment,
            order: self.order.segment(segment, reader)?,
            groups: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<u64, Group>>) -> tantivy::Result<Groups> {
        let mut all: HashMap<u64, Group> = HashMap::new();
        for fruit in fruits {
            for (key, g) in fruit {
                all.entry(key)
                    .and_modify(|best| merge(best, g))
                    .or_insert(g);
            }
        }
        let total_articles = all.len();
        let mut top: Vec<Group> = all.into_values().collect();
        top.sort_by(|a, b| best_first((a.score, a.key), (b.score, b.key)));
        top.truncate(self.limit);
        Ok(Groups {
            top,
            total_articles,
        })
    }
}

fn merge(best: &mut Group, g: Group) {
    let matches = best.matches + g.matches;
    if best_first((g.score, g.key), (best.score, best.key)).is_lt() {
        *best = g;
    }
    best.matches = matches;
}

impl SegmentCollector for SegmentGroups {
    type Fruit = HashMap<u64, Group>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(key) = self.order.article(doc) else {
            return;
        };
        let g = Group {
            score,
            key: self.order.get(doc),
            doc: DocAddress::new(self.segment, doc),
            matches: 1,
        };
        self.groups
            .entry(key)
            .and_modify(|best| merge(best, g))
            .or_insert(g);
    }

    fn harvest(self) -> Self::Fruit {
        self.groups
    }
}
