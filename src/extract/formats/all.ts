// Imports every format module once so each registers its extractor.
import './text.js';
