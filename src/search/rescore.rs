//! The final scores of the best candidates. tantivy's skipping (block-max WAND) adds up a
//! passage's clause scores in an order that depends on where the passage landed in the index, so
//! the same passage can score a last bit differently in two indexes of the same articles. Here
//! every scoring clause of the query is scored on its own and the scores are added in the
//! query's order; then the proximity of neighbouring words is added, pair by pair.

use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, Scorer, Weight};
use tantivy::{DocAddress, DocSet, Score, Searcher};

use super::proximity::{Near, Proximity};
use super::prune::PrunedUnion;
use super::stats::PassageStats;
use super::top::Candidate;

/// The clauses whose scores `q`'s score adds up, in the query's order. Excluded clauses and
/// filters (constant 0) score nothing.
fn scoring_clauses<'q>(q: &'q dyn Query, out: &mut Vec<&'q dyn Query>) {
    if let Some(b) = q.downcast_ref::<BooleanQuery>() {
        for (occur, c) in b.clauses() {
            if *occur != Occur::MustNot {
                scoring_clauses(c.as_ref(), out);
            }
        }
    } else if let Some(u) = q.downcast_ref::<PrunedUnion>() {
        scoring_clauses(u.all(), out);
    } else if q.downcast_ref::<ConstScoreQuery>().is_none() {
        out.push(q);
    }
}

/// True when `query`'s score adds up the scores of several clauses.
pub fn adds_up(query: &dyn Query) -> bool {
    let mut clauses = Vec::new();
    scoring_clauses(query, &mut clauses);
    clauses.len() > 1
}

/// Rescores `ranked` (candidates of `query`): each candidate's score becomes the sum of its
/// clauses' scores in the query's order, plus its proximity scores (`near`). The caller sorts.
pub fn rescore(
    searcher: &Searcher,
    stats: &PassageStats,
    query: &dyn Query,
    near: &[Near],
    ranked: &mut [Candidate],
) -> tantivy::Result<()> {
    let mut clauses = Vec::new();
    scoring_clauses(query, &mut clauses);
    let docs: Vec<DocAddress> = ranked.iter().map(|c| c.2).collect();
    // One clause is one score: nothing to add up.
    if clauses.len() > 1 {
        let scoring = EnableScoring::enabled_from_statistics_provider(stats, searcher);
        let weights = (clauses.iter())
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        for (c, scores) in ranked
            .iter_mut()
            .zip(clause_scores(searcher, &weights, &docs)?)
        {
            c.0 = scores.into_iter().sum();
        }
    }
    if !near.is_empty() {
        let prox = Proximity::new(searcher, stats, near)?;
        for (c, scores) in ranked.iter_mut().zip(prox.scores(&docs)?) {
            for s in scores {
                c.0 += s;
            }
        }
    }
    Ok(())
}

/// Each document's score for each weight (0 where it does not match). Each weight gets one
/// scorer per segment, moved through the segment's documents in order.
fn clause_scores(
    searcher: &Searcher,
    weights: &[Box<dyn Weight>],
    docs: &[DocAddress],
) -> tantivy::Result<Vec<Vec<Score>>> {
    let mut out = vec![Vec::new(); docs.len()];
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| docs[i]);
    let mut segment = None;
    let mut scorers: Vec<Box<dyn Scorer>> = Vec::new();
    for i in order {
        let DocAddress {
            segment_ord,
            doc_id,
        } = docs[i];
        if segment != Some(segment_ord) {
            segment = Some(segment_ord);
            let reader = searcher.segment_reader(segment_ord);
            scorers = (weights.iter())
                .map(|w| w.scorer(reader, 1.0))
                .collect::<tantivy::Result<_>>()?;
        }
        out[i] = (scorers.iter_mut())
            .map(|s| {
                if s.doc() <= doc_id && s.seek(doc_id) == doc_id {
                    s.score()
                } else {
                    0.0
                }
            })
            .collect();
    }
    Ok(out)
}
