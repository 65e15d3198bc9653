// The stage contracts now live at the bottom of the layout (src/contracts); this re-export keeps old imports working.
export * from '../contracts/stages.js';
