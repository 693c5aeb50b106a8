/** Stylesheets are imported for their side effect; webpack emits them as .css files. */
declare module '*.css';
