-- Which houses (alias h) the filters keep: unit and key-area kind. A 农村自建房 house counts
-- by its building flag as well as by lying in a 农村自建房 area (SPEC §2).
(CAST(:unit_id AS integer[]) IS NULL OR h.unit_id = ANY(:unit_id))
AND (CAST(:key_area_kind AS text[]) IS NULL
     OR ('rural_self_built' = ANY(:key_area_kind) AND h.is_self_built)
     OR EXISTS (SELECT 1 FROM key_areas k
                WHERE k.kind = ANY(:key_area_kind) AND ST_Intersects(k.geom, h.geom)))
