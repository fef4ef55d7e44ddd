/* xmlname: names in the elements expat reports when it is created with a namespace separator
 * (XML_ParserCreateNS), shared by every reader of XML documents (VOTable, VOSI tablesets).
 * XMLNAME_NS_SEP is that separator: a space never occurs in a namespace URI. */
#ifndef TR_UTIL_XMLNAME_H
#define TR_UTIL_XMLNAME_H

#define XMLNAME_NS_SEP ' '

/* The local part of "URI<sep>local" (or the whole name when it has no namespace). */
const char *xmlname_local(const char *qname);

/* The value of the attribute whose local name is `local`, in any namespace, or NULL. */
const char *xmlname_attr(const char **atts, const char *local);


#endif
