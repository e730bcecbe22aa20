SELECT s.id AS fid, s.name, s.geom FROM schools s
