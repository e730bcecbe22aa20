-- Bins points into the flat-topped hexagons of ST_HexagonGrid(:size, …) / ST_Hexagon(:size, i, j)
-- in the SRID :srid (Web Mercator): the same (i, j) as the PostGIS grid without a spatial join.
-- {{points}}: a SELECT with columns x, y (in :srid units) and any others (kept).
--
-- Cell (i, j) has its centre at x = 1.5·size·i, y = √3·size·(j + ½ when i is odd). The centres
-- of even columns form one rectangular lattice (3·size × √3·size), those of odd columns the
-- same lattice shifted by (1.5·size, ½·√3·size); the nearest centre of each lattice is found by
-- rounding each coordinate, and the point belongs to the nearer of the two (hexagons are the
-- Voronoi cells of their centres). Written without an optimisation fence, so PostgreSQL can
-- bin and pre-aggregate in parallel workers: x and y must be cheap expressions. Everything is
-- double precision (a bare 3.0 or a bound float would be NUMERIC, many times slower).
--
-- The choice between the two lattices yields one bigint `cell` (i in the high 32 bits, j in
-- the low 32); i and j are two shifts of it. Grouping by `cell` evaluates the distance
-- comparison once per point (grouping by i and j would copy it into both keys).
SELECT c.*, (c.cell >> 32)::int AS i, ((c.cell << 32) >> 32)::int AS j
FROM (
    SELECT l.*,
           CASE
               WHEN power(l.x - l.w * l.ea, 2) + power(l.y - l.h * l.ja, 2)
                    <= power(l.x - l.w * (l.ob + 0.5::float8), 2)
                       + power(l.y - l.h * (l.jb + 0.5::float8), 2)
               THEN ((2 * l.ea)::bigint << 32) | (l.ja::bigint & 4294967295)
               ELSE ((2 * l.ob + 1)::bigint << 32) | (l.jb::bigint & 4294967295)
           END AS cell
    FROM (
        -- w × h: the lattice of even-column centres; odd columns sit at +(w/2, h/2).
        SELECT p.*, g.w, g.h,
               round(p.x / g.w)::int AS ea,
               round(p.y / g.h)::int AS ja,
               round(p.x / g.w - 0.5::float8)::int AS ob,
               round(p.y / g.h - 0.5::float8)::int AS jb
        FROM ({{points}}) p
        CROSS JOIN (SELECT 3 * CAST(:size AS float8) AS w,
                           sqrt(3::float8) * CAST(:size AS float8) AS h) g
    ) l
) c
