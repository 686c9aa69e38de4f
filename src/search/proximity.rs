//! Proximity: rewards passages in which neighbouring query words stand close together. Scored
//! for the best candidates only (a rescoring window), from the words' positions, with a count
//! that does not depend on which of the two words is rarer in a segment — so a passage scores
//! the same wherever it landed in the index.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Score, Searcher, Term};

/// Two neighbouring query words: `first` then `second`, within `slop` words of each other.
#[derive(Debug, Clone)]
pub struct Near {
    pub field: Field,
    pub first: Term,
    pub second: Term,
    pub slop: u32,
    pub boost: Score,
}

impl Near {
    /// `text_de:"berat apothek"~6`.
    pub fn describe(&self, searcher: &Searcher) -> String {
        let word = |t: &Term| t.value().as_str().unwrap_or_default().to_string();
        format!(
            "{}:\"{} {}\"~{}",
            searcher.schema().get_field_name(self.field),
            word(&self.first),
            word(&self.second),
            self.slop
        )
    }
}

/// How many times the two words stand within `slop` of each other, each occurrence counted in
/// one pair at most. Positions are sorted; `first`'s are taken one word on, so that the words in
/// query order and adjacent are at distance 0. Pairs are taken greedily from the start of the
/// passage: whichever of the two next occurrences comes first pairs with the other if it is in
/// reach, or is dropped. Swapping the two lists gives the same count.
fn near_count(first: &[u32], second: &[u32], slop: u32) -> u32 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(&a), Some(&b)) = (first.get(i), second.get(j)) {
        let a = a + 1;
        if a.abs_diff(b) <= slop {
            n += 1;
            i += 1;
            j += 1;
        } else if a < b {
            i += 1;
        } else {
            j += 1;
        }
    }
    n
}

/// The proximity pairs of one query with their BM25 weights (as a phrase of the two words).
pub struct Proximity<'a> {
    searcher: &'a Searcher,
    pairs: Vec<(&'a Near, Bm25Weight)>,
}

impl<'a> Proximity<'a> {
    pub fn new(
        searcher: &'a Searcher,
        stats: &dyn Bm25StatisticsProvider,
        pairs: &'a [Near],
    ) -> tantivy::Result<Proximity<'a>> {
        let pairs = (pairs.iter())
            .map(|p| {
                let terms = [p.first.clone(), p.second.clone()];
                Ok((p, Bm25Weight::for_terms(stats, &terms)?.boost_by(p.boost)))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(Proximity { searcher, pairs })
    }

    pub fn pairs(&self) -> impl Iterator<Item = &Near> {
        self.pairs.iter().map(|(p, _)| *p)
    }

    /// Each document's score for each pair (0 where the words are not near each other). Every
    /// term's postings are opened once per segment and moved through the documents in order.
    pub fn scores(&self, docs: &[DocAddress]) -> tantivy::Result<Vec<Vec<Score>>> {
        let mut out = vec![Vec::new(); docs.len()];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| docs[i]);
        let mut terms: Vec<&Term> = Vec::new();
        for (p, _) in &self.pairs {
            for t in [&p.first, &p.second] {
                if !terms.contains(&t) {
                    terms.push(t);
                }
            }
        }
        let index_of = |t: &Term| terms.iter().position(|u| *u == t).unwrap_or(0);
        let pair_terms: Vec<(usize, usize)> = (self.pairs.iter())
            .map(|(p, _)| (index_of(&p.first), index_of(&p.second)))
            .collect();
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); terms.len()];
        let mut segment = None;
        let mut postings: Vec<Option<SegmentPostings>> = Vec::new();
        let mut norms = Vec::new();
        for i in order {
            let DocAddress {
                segment_ord,
                doc_id,
            } = docs[i];
            let reader = self.searcher.segment_reader(segment_ord);
            if segment != Some(segment_ord) {
                segment = Some(segment_ord);
                postings = (terms.iter())
                    .map(|t| {
                        let postings = reader
                            .inverted_index(t.field())?
                            .read_postings(t, IndexRecordOption::WithFreqsAndPositions)?;
                        Ok(postings)
                    })
                    .collect::<tantivy::Result<_>>()?;
                norms = (self.pairs.iter())
                    .map(|(p, _)| reader.get_fieldnorms_reader(p.field))
                    .collect::<tantivy::Result<_>>()?;
            }
            for (p, found) in postings.iter_mut().zip(&mut positions) {
                found.clear();
                if let Some(p) = p
                    && p.doc() <= doc_id
                    && p.seek(doc_id) == doc_id
                {
                    p.positions(found);
                }
            }
            out[i] = (self.pairs.iter().zip(&pair_terms).zip(&norms))
                .map(|(((near, weight), &(a, b)), norms)| {
                    match near_count(&positions[a], &positions[b], near.slop) {
                        0 => 0.0,
                        n => weight.score(norms.fieldnorm_id(doc_id), n),
                    }
                })
                .collect();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::near_count;

    #[test]
    fn counts_pairs_within_reach_whichever_list_comes_first() {
        // "a b": adjacent in order; "b a": two apart.
        assert_eq!(near_count(&[0], &[1], 0), 1);
        assert_eq!(near_count(&[1], &[0], 0), 0);
        assert_eq!(near_count(&[1], &[0], 2), 1);
        // Each occurrence pairs once.
        assert_eq!(near_count(&[0, 1, 2], &[3], 6), 1);
        assert_eq!(near_count(&[0, 10, 20], &[1, 11, 40], 6), 2);
        // The same count with the roles of the lists swapped (positions moved to match).
        let cases: [(&[u32], &[u32]); 3] = [
            (&[2, 3], &[1, 2]),
            (&[0, 1, 7], &[3, 9, 10]),
            (&[5, 6, 7, 30], &[1, 2, 8, 28]),
        ];
        for (a, b) in cases {
            let moved_a: Vec<u32> = a.iter().map(|p| p + 1).collect();
            let moved_b: Vec<u32> = b.iter().map(|p| p.saturating_sub(1)).collect();
            assert_eq!(
                near_count(a, b, 3),
                near_count(&moved_b, &moved_a, 3),
                "{a:?} {b:?}"
            );
        }
        assert_eq!(near_count(&[], &[1], 6), 0);
    }
}
