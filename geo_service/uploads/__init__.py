"""Uploads (上报数据): village, department and police files imported from the browser.

The same engine as `geo-service import` (etl.importer), run by a worker thread of the server
under the uploader's scope (`scope`), with every request and file kept (`store`). docs/upload.md.
"""
