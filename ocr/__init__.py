"""Reading pixels: OCR engines behind one narrow interface, returning `TextLine` records."""
