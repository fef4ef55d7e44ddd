/* uws_xml: the UWS 1.1 XML documents (namespace http://www.ivoa.net/xml/UWS/v1.0, version="1.1"),
 * each valid against UWS-v1.1.xsd: the job, the job list, and the results and parameters lists a
 * job's children return (UWS 1.1 §2.2.1, §2.2.3).
 *
 * Links are absolute: jobs_url is the job list's URL as clients reach it ("https://h/tap/async");
 * a job's URL is jobs_url + "/" + id.  Documents are small (one job, or a bounded list), so they
 * are built in a strbuf; TR_ENOMEM when it failed. */
#ifndef TR_UWS_XML_H
#define TR_UWS_XML_H

#include "uws/job.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stddef.h>

/* <uws:job> with every element in the schema's order: jobId, runId, ownerId, phase, quote,
 * creationTime, startTime, endTime, executionDuration, destruction, parameters, results,
 * errorSummary (ERROR only, with hasDetail="true" and type="fatal" or "transient": transient for
 * 503 and time limits); no jobInfo.  Unset values are xsi:nil where the schema
 * allows it. */
int uws_xml_job(strbuf *sb, const uws_job *job, const char *jobs_url, tr_err *err);

/* <uws:jobs> with one <uws:jobref id= xlink:href=> per job (phase, runId, ownerId, creationTime
 * inside, UWS 1.1 §2.2.1.1). */
int uws_xml_job_list(strbuf *sb, const uws_job *jobs, size_t n, const char *jobs_url, tr_err *err);

/* <uws:results>: one <uws:result id="result" xlink:href=JOB/results/result mime-type= size=> when
 * the job completed with a result, else empty. */
int uws_xml_results(strbuf *sb, const uws_job *job, const char *jobs_url, tr_err *err);

/* <uws:parameters> with one <uws:parameter id=NAME> per parameter (byReference for references). */
int uws_xml_parameters(strbuf *sb, const uws_job *job, tr_err *err);

#endif
