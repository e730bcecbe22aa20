"""Review-phase (回头看) patrol routes: choose the places to revisit, plan several teams' routes
over the road network (PostGIS + pgRouting for travel times and paths, VROOM to solve), export
them for the field, and record what each visit found.
"""
