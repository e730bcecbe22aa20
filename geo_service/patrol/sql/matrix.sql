-- Travel seconds between every pair of the given vertices, in one pgRouting call on the
-- directed graph (one-way streets respected). Unreachable pairs are absent from the result.
SELECT start_vid, end_vid, agg_cost
FROM pgr_dijkstraCostMatrix(
    'SELECT id, source, target, cost_s AS cost, reverse_cost_s AS reverse_cost
     FROM roads WHERE cost_s IS NOT NULL',
    CAST(:vids AS bigint[]),
    directed => true)
