SELECT r.id AS fid, r.name, r.road_class, r.oneway, r.speed_kmh, r.geom FROM roads r
