-- The current view (lon/lat), when the export asks for what is on screen only.
(CAST(:bbox_w AS float8) IS NULL
 OR h.geom && ST_MakeEnvelope(:bbox_w, :bbox_s, :bbox_e, :bbox_n, 4326))
