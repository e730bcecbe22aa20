-- Heat points: one per house with hazards (_heat_houses.sql). {{output}} is the aggregate that
-- shapes the answer (GeoJSON features or [lat, lon, weight]). heat_grid.sql sums them per cell
-- of a map zoom instead.
SELECT {{output}}
FROM (
    SELECT h.*, ST_SetSRID(ST_MakePoint(h.lon, h.lat), 4326) AS geom
    FROM (
        -- @include _heat_houses.sql
    ) h
) s
