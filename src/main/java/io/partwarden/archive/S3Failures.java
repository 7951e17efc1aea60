package io.partwarden.archive;

import java.net.ConnectException;
import java.net.UnknownHostException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** An S3 failure in words an operator acts on: which credentials, which bucket, what to check. */
final class S3Failures {

    static final String CREDENTIALS = "credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID and"
            + " AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a web identity token such as a Kubernetes service account gives)";

    private S3Failures() {
    }

    static String describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AwsServiceException aws) {
                return service(aws);
            }
            if (cause instanceof UnknownHostException || cause instanceof ConnectException) {
                return "the store cannot be reached (" + cause.getMessage() + "): check partwarden.archive.s3.endpoint"
                        + " and that the store is up";
            }
            if (cause instanceof SdkClientException client && client.getMessage() != null
                    && client.getMessage().contains("credentials")) {
                return "no credentials: " + CREDENTIALS + ", and none of them is set here";
            }
        }
        return String.valueOf(failure.getMessage());
    }

    private static String service(AwsServiceException aws) {
        String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
        int status = aws.statusCode();
        if ("NoSuchBucket".equals(code) || (status == 404 && code == null)) {
            return "the bucket does not exist (create it, or correct partwarden.archive.location)";
        }
        if ("InvalidAccessKeyId".equals(code)) {
            return "the access key is not known to the store; " + CREDENTIALS;
        }
        if ("SignatureDoesNotMatch".equals(code)) {
            return "the secret key does not match the access key; " + CREDENTIALS;
        }
        if (status == 403) {
            return "access denied (" + (code == null ? "403" : code) + "): the credentials may not do this there; " + CREDENTIALS;
        }
        return (code == null ? "HTTP " + status : code) + ": " + aws.getMessage();
    }
}
