-- How many pieces the road network falls into (ignoring direction): more than one means some
-- places cannot be reached from others.
SELECT count(DISTINCT component) AS components, count(*) AS vertices
FROM pgr_connectedComponents(
    'SELECT id, source, target, cost_s AS cost, cost_s AS reverse_cost
     FROM roads WHERE cost_s IS NOT NULL')
