-- 标准地址 (门牌) reference points.
SELECT a.id AS fid, a.full_address, a.unit_id, a.geom FROM addresses a
