// Imports every format module once so each registers its extractor.
import './text.js';
import './pdf.js';
import './html.js';
import './docx.js';
import './xlsx.js';
import './csv.js';
import './pptx.js';
import './image.js';
import './structured.js';
import './odt.js';
import './eml.js';
import './rtf.js';
import './epub.js';
import './msg.js';
import './doc.js';
import './ppt.js';
import './visio.js';
