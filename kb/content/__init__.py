"""The catalogue as content-as-code: parse, check and load the files under CONTENT_DIR."""
